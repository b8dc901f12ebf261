// Reads an iCalendar file on stdin and prints its event's occurrences as ical.js sees them:
// [[local wall-clock time, seconds since the epoch (UTC)], ...] from argv[2] up to argv[3] (dates).
// Only the file's own VTIMEZONE is used: it is registered under its TZID, as Thunderbird does.
import ICAL from "ical.js";
import { readFileSync } from "node:fs";

const [from, until] = [ICAL.Time.fromDateString(process.argv[2]), ICAL.Time.fromDateString(process.argv[3])];
const calendar = new ICAL.Component(ICAL.parse(readFileSync(0, "utf8")));
for (const zone of calendar.getAllSubcomponents("vtimezone")) {
  ICAL.TimezoneService.register(new ICAL.Timezone(zone));
}
const event = new ICAL.Event(calendar.getFirstSubcomponent("vevent"));
const iterator = event.iterator();
const found = [];
for (let next = iterator.next(); next && next.compare(until) < 0; next = iterator.next()) {
  const start = event.getOccurrenceDetails(next).startDate;
  if (start.compare(from) >= 0) {
    found.push([start.toString(), start.toUnixTime()]);
  }
}
process.stdout.write(JSON.stringify(found));
