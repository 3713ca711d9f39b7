// Date functions and filters with a fixed clock (NOW = 2024-07-02T03:04:05.123Z).
import { describe, expect, test } from "bun:test";
import { render } from "./template-helpers.ts";

// execution.startDate is 2024-01-05T10:20:30.123456Z (a Friday).
describe("now()", () => {
  test.each([
    ["{{ now() }}", "2024-07-02T03:04:05.123000Z"],
    ["{{ now(timeZone='Europe/Paris') }}", "2024-07-02T05:04:05.123000+02:00"],
    ["{{ now('America/New_York') }}", "2024-07-01T23:04:05.123000-04:00"],
    ["{{ now(format='yyyy') }} {{ now() | date('yyyy') }}", "2024 2024"],
    ["{{ now() | date('yyyy-MM-dd', timeZone='Pacific/Auckland') }}", "2024-07-02"],
    ["{{ now() | dateAdd(-2, 'HOURS') }}", "2024-07-02T01:04:05.123000Z"],
    ["{{ now() | dateAdd(-1, 'DAYS') | date('yyyy-MM-dd') }}", "2024-07-01"],
  ])("%s", async (template, expected) => {
    expect(await render(template)).toBe(expected);
  });
});

describe("date patterns", () => {
  test.each([
    ["{{ execution.startDate | date('yyyy-MM-dd HH:mm:ss') }}", "2024-01-05 10:20:30"],
    ["{{ execution.startDate | date(\"yyyy-MM-dd'T'HH:mm:ss.SSSXXX\", timeZone='America/New_York') }}", "2024-01-05T05:20:30.123-05:00"],
    ["{{ execution.startDate | date('EEE EEEE MMM MMMM d dd a h hh H k K D Q yy') }}", "Fri Friday Jan January 5 05 AM 10 10 10 10 10 5 1 24"],
    ["{{ execution.startDate | date('S SSS SSSSSS n') }}", "1 123 123456 123456000"],
    ["{{ execution.startDate | date(\"'Q'q 'at' HH'h'mm''\") }}", "Q1 at 10h20'"],
    ["{{ execution.startDate | date('Z ZZZZ ZZZZZ X XX XXX x O OOOO VV', timeZone='Asia/Kolkata') }}",
      "+0530 GMT+05:30 +05:30 +0530 +0530 +05:30 +0530 GMT+5:30 GMT+05:30 Asia/Kolkata"],
    ["{{ execution.startDate | date('X XXX Z') }}", "Z Z +0000"],
    ["{{ '2024-07-05T10:20:30Z' | date('z zzzz', timeZone='Europe/Paris') }}", "CEST Central European Summer Time"],
    ["{{ execution.startDate | date('h:mm a', timeZone='Europe/Paris') }}", "11:20 AM"],
  ])("%s", async (template, expected) => {
    expect(await render(template)).toBe(expected);
  });

  test("an unknown pattern letter fails like Java", async () => {
    await expect(render("{{ now() | date('yyyy-MM-ddTHH') }}")).rejects.toThrow("Unknown pattern letter: T");
  });

  test("an unknown time zone fails", async () => {
    await expect(render("{{ now(timeZone='Mars/Olympus') }}")).rejects.toThrow("Unknown time-zone ID: Mars/Olympus");
  });
});

describe("named formats", () => {
  test.each([
    ["iso", "2024-01-05T10:20:30.123456Z"],
    ["iso_sec", "2024-01-05T10:20:30Z"],
    ["sql", "2024-01-05 10:20:30.123456"],
    ["sql_seq", "2024-01-05 10:20:30"],
    ["iso_instant", "2024-01-05T10:20:30.123456Z"],
    ["iso_date_time", "2024-01-05T10:20:30.123456Z[UTC]"],
    ["iso_local_date", "2024-01-05"],
    ["iso_local_date_time", "2024-01-05T10:20:30.123456"],
    ["iso_date", "2024-01-05Z"],
    ["iso_time", "10:20:30.123456Z"],
    ["iso_week_date", "2024-W01-5Z"],
    ["iso_ordinal_date", "2024-005Z"],
    ["rfc_1123_date_time", "Fri, 5 Jan 2024 10:20:30 GMT"],
    ["short", "1/5/24, 10:20 AM"],
    ["medium", "Jan 5, 2024, 10:20:30 AM"],
    ["long", "January 5, 2024 at 10:20:30 AM UTC"],
    ["full", "Friday, January 5, 2024 at 10:20:30 AM Coordinated Universal Time"],
  ])("%s", async (format, expected) => {
    expect(await render(`{{ execution.startDate | date('${format}') }}`)).toBe(expected);
  });

  test("zoned formats carry the zone", async () => {
    expect(await render("{{ execution.startDate | date('iso_zoned_date_time', timeZone='Europe/Paris') }}")).toBe(
      "2024-01-05T11:20:30.123456+01:00[Europe/Paris]",
    );
    expect(await render("{{ execution.startDate | date('iso_offset_date_time', timeZone='+05:30') }}")).toBe(
      "2024-01-05T15:50:30.123456+05:30",
    );
  });
});

describe("date inputs", () => {
  test.each([
    ["{{ '05/01/2024 10:20' | date('yyyy-MM-dd HH:mm', existingFormat='dd/MM/yyyy HH:mm') }}", "2024-01-05 10:20"],
    ["{{ '03:04 PM, Jan 5 2024' | date('yyyy-MM-dd HH:mm', existingFormat='hh:mm a, MMM d yyyy') }}", "2024-01-05 15:04"],
    ["{{ '2024-01-05' | date('yyyy-MM-dd HH:mm') }}", "2024-01-05 00:00"],
    ["{{ '2024-01-05T10:00:00' | date('HH:mm XXX', timeZone='Europe/Paris') }}", "10:00 +01:00"],
    ["{{ '2024-01-05T10:00:00+01:00' | date('HH:mm') }}", "09:00"],
    ["{{ 1704450030 | date('yyyy-MM-dd HH:mm:ss') }}", "2024-01-05 10:20:30"],
    ["{{ d | date('yyyy-MM-dd') }}", "2023-12-31"],
  ])("%s", async (template, expected) => {
    expect(await render(template, { execution: {}, d: new Date("2023-12-31T23:59:59Z") })).toBe(expected);
  });

  test("an unparsable date fails", async () => {
    await expect(render("{{ 'yesterday' | date('yyyy') }}")).rejects.toThrow("Text 'yesterday' could not be parsed");
  });
});

describe("dateAdd and timestamps", () => {
  test.each([
    ["{{ '2024-01-31T00:00:00Z' | dateAdd(1, 'MONTHS', format='yyyy-MM-dd') }}", "2024-02-29"],
    ["{{ '2023-01-31T00:00:00Z' | dateAdd(1, 'MONTHS', format='yyyy-MM-dd') }}", "2023-02-28"],
    ["{{ '2024-02-29T00:00:00Z' | dateAdd(1, 'YEARS', format='yyyy-MM-dd') }}", "2025-02-28"],
    ["{{ '2024-01-05T10:20:30Z' | dateAdd(90, 'MINUTES', format='HH:mm') }}", "11:50"],
    ["{{ '2024-01-05T10:20:30Z' | dateAdd(2, 'WEEKS', format='yyyy-MM-dd') }}", "2024-01-19"],
    ["{{ '2024-01-05T10:20:30Z' | dateAdd(-30, 'SECONDS', format='HH:mm:ss') }}", "10:20:00"],
    // across the DST change, a day is a calendar day: 12:00 stays 12:00 local
    ["{{ '2024-03-30T12:00:00+01:00[Europe/Paris]' | dateAdd(1, 'DAYS', timeZone='Europe/Paris') }}", "2024-03-31T12:00:00.000000+02:00"],
    ["{{ execution.startDate | timestamp }}", "1704450030"],
    ["{{ execution.startDate | timestampMilli }}", "1704450030123"],
    ["{{ execution.startDate | timestampMicro }}", "1704450030123456"],
    ["{{ execution.startDate | timestampNano }}", "1704450030123456000"],
  ])("%s", async (template, expected) => {
    expect(await render(template)).toBe(expected);
  });

  test("an unknown unit fails like ChronoUnit.valueOf", async () => {
    await expect(render("{{ now() | dateAdd(1, 'days') }}")).rejects.toThrow("ChronoUnit.days");
  });
});
