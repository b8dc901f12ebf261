"""The slash commands: one package (or module) per command, each exporting one `Feature`.

`commands.registry.FEATURES` is the one list of them. Shared pieces below the features:
`base` (requests, replies, context, `Feature`), `parsing` (the one parser of dates, times and
durations), `help`, `leads` (who may act for whom), `privacy` (`meine-daten`, `vergessen`).
"""
