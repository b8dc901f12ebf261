"""The documents a city adopts Amtsbote with, and that they cannot drift from the product.

- `amtsbote datenschutz` is generated from the configuration and the schema: the periods and the
  recipients it names are the configured ones, and every column the models declare is explained.
- docs/datenschutz.md holds the generated document for the default configuration.
- docs/betrieb.md names every metric `/metrics` exposes and every WARNING/ERROR log line the code
  can write.
"""

from __future__ import annotations

import ast
import importlib
import pkgutil
import re
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from bot import datenschutz
from bot.cli import main
from bot.datenschutz_fields import FIELDS, TABLES
from config.settings import ENV_VARIABLES, Settings

ROOT = Path(__file__).resolve().parent.parent
DATENSCHUTZ_MD = ROOT / "docs" / "datenschutz.md"
BETRIEB_MD = ROOT / "docs" / "betrieb.md"
ANLEITUNG_MD = ROOT / "docs" / "anleitung.md"
SOURCE_PACKAGES = ("bot", "commands", "storage", "domain", "base", "config")
ZOOM = {"MEETING_PROVIDER": "zoom", "ZOOM_ACCOUNT_ID": "acc-123", "ZOOM_CLIENT_ID": "client-123",
        "ZOOM_CLIENT_SECRET": "zoom-client-secret-for-tests"}


@pytest.fixture
def run_datenschutz(monkeypatch, tmp_path, capsys):
    """`amtsbote datenschutz` with exactly the given environment (no .env, nothing inherited)."""
    def run(**env: str) -> str:
        for name in ENV_VARIABLES:
            monkeypatch.delenv(name, raising=False)
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        monkeypatch.chdir(tmp_path)
        assert main(["datenschutz"]) == 0
        return capsys.readouterr().out
    return run


# --- amtsbote datenschutz ------------------------------------------------------------------------------

def test_retention_days_is_the_configured_one_everywhere(run_datenschutz):
    default = run_datenschutz()
    assert "90 Tage nach dem betroffenen Tag" in default  # the default, so the check below can fail
    text = run_datenschutz(RETENTION_DAYS="30")
    assert "30 Tage nach dem betroffenen Tag" in text
    assert "`RETENTION_DAYS` = 30" in text and "| `RETENTION_DAYS` | 30 |" in text
    stray = [line for line in text.splitlines() if re.search(r"(?<![\d,.])90(?![\d,.])", line)]
    assert not stray, "RETENTION_DAYS=30, yet the document says 90 here:\n" + "\n".join(stray)


def test_one_day_of_retention_is_worded_in_the_singular(run_datenschutz):
    text = run_datenschutz(RETENTION_DAYS="1")
    assert "1 Tag nach dem betroffenen Tag" in text and "1 Tage" not in text


def test_zoom_is_named_with_the_third_country_transfer_only_when_configured(run_datenschutz):
    zoom = run_datenschutz(**ZOOM)
    assert "Zoom Video Communications, Inc." in zoom
    assert "Übermittlung in ein Drittland" in zoom and "Art. 44 ff. DSGVO" in zoom and "USA" in zoom
    assert "zoom-client-secret-for-tests" not in zoom

    jitsi = run_datenschutz(MEETING_PROVIDER="jitsi", JITSI_URL="https://meet.stadt.example")
    assert "`meet.stadt.example`" in jitsi
    for word in ("zoom", "art. 44"):
        assert word not in jitsi.lower(), f"with Jitsi configured the document mentions {word!r}"
    assert not re.search(r"\bUSA\b", jitsi) and "Übermittlung in ein Drittland" not in jitsi
    assert "keine personenbezogenen Daten in Drittländer" in jitsi


def test_zoom_set_up_beside_another_default_is_still_a_recipient(run_datenschutz):
    text = run_datenschutz(MEETING_PROVIDER="jitsi", JITSI_URL="https://meet.stadt.example",
                           **{k: v for k, v in ZOOM.items() if k != "MEETING_PROVIDER"})
    assert "Zoom Video Communications, Inc." in text and "Übermittlung in ein Drittland" in text


def test_recipients_are_the_configured_servers(run_datenschutz):
    text = run_datenschutz(MATTERMOST_URL="https://chat.stadt.example", MEETING_PROVIDER="bbb",
                           BBB_URL="https://bbb.stadt.example/bigbluebutton/", BBB_SECRET="bbb-secret-for-tests")
    assert "Mattermost-Server `https://chat.stadt.example`" in text
    assert "BigBlueButton-Server `bbb.stadt.example`" in text and "bbb-secret-for-tests" not in text
    assert "`MATTERMOST_URL` ist nicht gesetzt" in run_datenschutz()


def test_every_feature_has_a_purpose():
    from commands.registry import FEATURES

    missing = [f.kind for f in FEATURES if f.kind not in datenschutz.JOBS]
    assert not missing, (f"features without a purpose in the record of processing: {missing}; add each to JOBS "
                         "in bot/datenschutz.py (a German title and one sentence on what the job is for)")


# --- every column is explained ---------------------------------------------------------------------------

def test_every_column_of_the_schema_is_explained():
    metadata = datenschutz.load_models()
    missing = datenschutz.undescribed_columns(metadata)
    assert not missing, (
        "the record of processing (`amtsbote datenschutz`) does not explain these columns:\n"
        + "\n".join(f"  {name}" for name in missing)
        + "\nadd each to FIELDS in bot/datenschutz_fields.py, e.g.\n"
        + f'  "{missing[0]}": FieldInfo("<what it holds, in German>", "<retention class: '
        + ", ".join(sorted(datenschutz._retention(Settings()))) + '>"),'
        + "\n(and its table to TABLES there), then refresh docs/datenschutz.md: "
          "`uv run python -m bot.datenschutz docs/datenschutz.md`")
    tables = sorted(set(metadata.tables) - set(TABLES))
    assert not tables, f"tables without a title and job in TABLES (bot/datenschutz_fields.py): {tables}"


def test_explanations_name_only_what_exists_and_known_classes():
    metadata = datenschutz.load_models()
    columns = {f"{t.name}.{c.name}" for t in metadata.tables.values() for c in t.columns}
    stale = sorted(set(FIELDS) - columns) + sorted(set(TABLES) - set(metadata.tables))
    assert not stale, f"bot/datenschutz_fields.py explains what the schema no longer has: {stale}"
    classes = datenschutz._retention(Settings())
    assert not [k for k, f in FIELDS.items() if f.retention not in classes]
    assert not [k for k, t in TABLES.items() if t.job not in datenschutz.JOBS]


def test_a_new_column_is_reported_and_marked_in_the_document():
    metadata = datenschutz.load_models()
    grown = sa.MetaData()
    for table in metadata.tables.values():
        table.to_metadata(grown)
    sa.Table("absence", grown, sa.Column("mood", sa.String(10)), extend_existing=True)
    sa.Table("duty_slot", grown, sa.Column("user_id", sa.String(26)))
    assert datenschutz.undescribed_columns(grown) == ["absence.mood", "duty_slot.user_id"]
    text = datenschutz.render(Settings(), metadata=grown)
    assert "| `mood` | **(noch nicht beschrieben)** |" in text
    assert "**Tabelle `duty_slot`: **(noch nicht beschrieben)**" in text


def test_every_table_and_column_is_in_the_document():
    metadata = datenschutz.load_models()
    text = datenschutz.render(Settings(), metadata=metadata)
    for table in metadata.tables.values():
        section = text.split(f"**Tabelle `{table.name}`:", 1)
        assert len(section) == 2, f"table {table.name} missing"
        body = section[1].split("**Tabelle `", 1)[0]
        for column in table.columns:
            assert f"| `{column.name}` |" in body, f"{table.name}.{column.name} missing"


# --- docs/datenschutz.md ---------------------------------------------------------------------------------

def test_docs_datenschutz_holds_the_generated_document():
    section = datenschutz.docs_section(DATENSCHUTZ_MD.read_text(encoding="utf-8"))
    assert section is not None, f"docs/datenschutz.md lost its markers {datenschutz.DOCS_BEGIN!r} … {datenschutz.DOCS_END!r}"
    assert section == datenschutz.render(Settings()), (
        "docs/datenschutz.md differs from `amtsbote datenschutz --defaults`; refresh it with "
        "`uv run python -m bot.datenschutz docs/datenschutz.md`")


def test_refresh_docs_replaces_only_the_generated_part(tmp_path):
    path = tmp_path / "d.md"
    path.write_text(f"Vorwort\n{datenschutz.DOCS_BEGIN}\nalt\n{datenschutz.DOCS_END}\nNachwort\n", encoding="utf-8")
    datenschutz.refresh_docs(path, lambda: "# neu\n")
    assert path.read_text(encoding="utf-8") == (
        f"Vorwort\n{datenschutz.DOCS_BEGIN}\n# neu\n{datenschutz.DOCS_END}\nNachwort\n")


def test_output_option_writes_the_file(run_datenschutz, tmp_path):
    run_datenschutz()  # sets up the environment
    assert main(["datenschutz", "--defaults", "-o", str(tmp_path / "v.md")]) == 0
    assert (tmp_path / "v.md").read_text(encoding="utf-8") == datenschutz.render(Settings())


# --- docs/betrieb.md: every metric and every warning or error log line -------------------------------------

METRIC_TYPES = {"Counter", "Gauge", "Histogram", "Summary", "Info", "Enum", "CounterMetricFamily",
                "GaugeMetricFamily", "HistogramMetricFamily", "SummaryMetricFamily", "InfoMetricFamily"}
LOGGERS = re.compile(r"^_?(log|logger|LOG|LOGGER|logging)$|_log$|_logger$")
LEVELS = {"warning", "warn", "error", "exception", "critical", "fatal"}
QUIET = {"DEBUG", "INFO", "NOTSET"}


def _sources() -> list[Path]:
    return sorted(p for package in SOURCE_PACKAGES for p in (ROOT / package).rglob("*.py")
                  if "migrations" not in p.parts)


def _constants(tree: ast.Module) -> dict[str, str]:
    """Module-level NAME = "string" assignments, for metric names given by a constant."""
    out = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
            out.update({t.id: node.value.value for t in node.targets if isinstance(t, ast.Name)})
    return out


def _name_of(func: ast.expr) -> str:
    return func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""


def _string(node: ast.expr, constants: dict[str, str]) -> str | None:
    """A string literal, implicit concatenation included; an f-string as its longest literal part."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.Name):
        return constants.get(node.id)
    if isinstance(node, ast.JoinedStr):
        parts = [v.value for v in node.values if isinstance(v, ast.Constant) and isinstance(v.value, str)]
        return max(parts, key=len).strip() if parts else None
    return None


def metric_names() -> dict[str, str]:
    """Every metric the code defines (name as exposed -> where), read from the source."""
    found: dict[str, str] = {}
    for path in _sources():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        constants = _constants(tree)
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and _name_of(node.func) in METRIC_TYPES):
                continue
            arg = node.args[0] if node.args else next((k.value for k in node.keywords if k.arg == "name"), None)
            name = _string(arg, constants) if arg is not None else None
            if not name:
                continue
            if _name_of(node.func).startswith("Counter") and not name.endswith("_total"):
                name += "_total"  # prometheus_client exposes a counter with the suffix
            found[name] = f"{path.relative_to(ROOT)}:{node.lineno}"
    return found


def registered_metric_names() -> set[str]:
    """The amtsbote_* metrics in the default registry once every module of the code is imported."""
    from prometheus_client import REGISTRY

    for package in SOURCE_PACKAGES:
        module = importlib.import_module(package)
        for info in pkgutil.walk_packages(module.__path__, package + "."):
            if ".migrations" not in info.name:
                importlib.import_module(info.name)
    names = set()
    for collector in list(REGISTRY._collector_to_names):  # the collectors themselves, not a scrape
        describe = getattr(collector, "describe", None)
        families = describe() if describe is not None else []
        for family in families:
            if family.name.startswith("amtsbote_"):
                names.add(family.name + "_total" if family.type == "counter" else family.name)
    return names


def log_messages() -> dict[str, str]:
    """Every WARNING, ERROR or exception log message in the code (format string -> where)."""
    found: dict[str, str] = {}
    for path in _sources():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        constants = _constants(tree)
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.args):
                continue
            receiver = node.func.value
            who = receiver.id if isinstance(receiver, ast.Name) else receiver.attr if isinstance(receiver, ast.Attribute) else ""
            if not LOGGERS.search(who):
                continue
            if node.func.attr in LEVELS:
                message = node.args[0]
            elif node.func.attr == "log" and len(node.args) >= 2:
                level = node.args[0]
                if isinstance(level, ast.Attribute) and level.attr in QUIET:
                    continue
                message = node.args[1]
            else:
                continue
            text = _string(message, constants)
            assert text, f"{path.relative_to(ROOT)}:{node.lineno}: a log message that is not a literal string"
            found[" ".join(text.split())] = f"{path.relative_to(ROOT)}:{node.lineno}"
    return found


def _words(path: Path) -> str:
    return " ".join(path.read_text(encoding="utf-8").split())


def test_the_handbook_names_every_metric():
    handbook = _words(BETRIEB_MD)
    defined = metric_names()
    assert "amtsbote_commands_total" in defined  # the scan finds what is there, so it can find what is missing
    names = set(defined) | registered_metric_names()
    missing = sorted(n for n in names if not re.search(rf"(?<![\w]){re.escape(n)}(?![\w])", handbook))
    assert not missing, (
        "docs/betrieb.md does not describe these metrics that /metrics exposes:\n"
        + "\n".join(f"  {n}  (defined at {defined.get(n, 'the registry')})" for n in missing)
        + "\nadd a row for each to the table in section 9 (Überwachung), e.g.\n"
        + f"  | `{missing[0]}{{label, …}}` | Zähler/Messgröße/Histogramm | <what it counts, in German> |")


def test_the_handbook_explains_every_warning_and_error_log_line():
    handbook = _words(BETRIEB_MD)
    messages = log_messages()
    assert any("refused (401)" in m for m in messages)  # the scan works
    missing = sorted((where, text) for text, where in messages.items() if text not in handbook)
    assert not missing, (
        "docs/betrieb.md does not explain these WARNING/ERROR log lines:\n"
        + "\n".join(f"  {where}: {text}" for where, text in missing)
        + "\nadd a row for each to a table in section 10 (Meldungen im Log), with the message exactly as in the "
          "code (placeholders such as %s kept), e.g.\n"
        + f"  | `{missing[0][1]}` | <Bedeutung> | <Was tun> |")


def test_the_scans_find_a_new_metric_and_a_new_log_line(tmp_path, monkeypatch):
    (tmp_path / "bot").mkdir()
    (tmp_path / "bot" / "extra.py").write_text(
        'import logging\nfrom prometheus_client import Counter, Gauge\nlog = logging.getLogger("x")\n'
        'NAME = "amtsbote_widgets"\nA = Counter(NAME, "w", ["k"])\nB = Gauge(name="amtsbote_gadgets", documentation="g")\n'
        'def f(n):\n    log.warning("widget %s " "lost", n)\n    log.info("fine")\n'
        '    log.log(logging.DEBUG, "quiet")\n    log.log(level, "loud %s", n)\n'
        '    log.exception(f"broken {n} beyond repair")\n', encoding="utf-8")
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    assert metric_names() == {"amtsbote_widgets_total": "bot/extra.py:5", "amtsbote_gadgets": "bot/extra.py:6"}
    assert sorted(log_messages()) == ["beyond repair", "loud %s", "widget %s lost"]


def test_the_handbook_lists_every_setting():
    handbook = BETRIEB_MD.read_text(encoding="utf-8")
    missing = [name for name in ENV_VARIABLES if f"`{name}`" not in handbook]
    assert not missing, f"docs/betrieb.md section 5 (Konfiguration) lacks a row for: {missing}"



# --- docs/anleitung.md and the README ---------------------------------------------------------------------

MENU_LABELS = ("Heute im Büro", "Heute zu Hause", "Heute unterwegs", "Abwesend …", "Tausch …", "Mein Plan",
               "Team-Plan", "Rotation einrichten …", "Morgen", "Diese Woche", "Erreichbarkeit …", "Diensthandy",
               "Kollegin/Kollege …", "Anrufbeantworter", "Privatanschluss", "Beenden", "Jetzt treffen",
               "Neue Besprechung …", "Liste", "Abgeben …", "Dienstplan")  # SPEC §2.6


def test_the_guide_describes_the_menus_by_their_labels_and_has_a_short_guide():
    guide = ANLEITUNG_MD.read_text(encoding="utf-8")
    missing = [label for label in MENU_LABELS if f"**{label}**" not in guide]
    assert not missing, f"docs/anleitung.md does not name these menu buttons: {missing}"
    short = guide.split("## Kurzanleitung", 1)
    assert len(short) == 2 and len(short[1].splitlines()) < 50, "the Kurzanleitung must exist and fit one page"


def test_the_readme_links_the_three_documents():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name in ("docs/anleitung.md", "docs/betrieb.md", "docs/datenschutz.md"):
        assert f"]({name})" in readme, f"README.md does not link {name}"


if __name__ == "__main__":
    for name, where in sorted(metric_names().items()):
        print("metric", name, where)
    for text, where in sorted(log_messages().items(), key=lambda kv: kv[1]):
        print("log", where, repr(text))
