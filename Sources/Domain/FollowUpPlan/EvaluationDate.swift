/// The forms of `evaluationDate` that the existing service's real clients send, all accepted
/// (docs/integrating.md, "Dates"):
///
/// - `"2027-01-31"`, the documented form;
/// - an ISO-8601 instant, `"2026-11-03T14:22:51.123Z"` or with an offset (`+02:00`): Bruno's
///   `{{$randomDateFuture}}` and NAV's LPS demo (`Date.toISOString()` of local midnight in Oslo,
///   so 20 June arrives as `"2025-06-19T22:00:00.000Z"`). The plan's date is the calendar date
///   **in Europe/Oslo** of that instant: the day the person picked. (The existing service takes
///   the UTC date, one day early for every demo submission.)
/// - a local date-time without zone, `"2027-01-31T00:00:00"` (fractions allowed): its date part;
/// - a JSON array `[2027, 1, 31]`, as Jackson writes a `LocalDate` without its JavaTime module.
///
/// Europe/Oslo's offset is computed here (CET, CEST from the last Sunday of March to the last
/// Sunday of October at 01:00 UTC, Norway's rule since 1996), so the domain needs no time zone
/// database.
public enum EvaluationDate {
    /// What the 400 says the field may be.
    public static let acceptedForms =
        "a date yyyy-MM-dd, an ISO-8601 date-time (2027-01-31T00:00:00, or with Z or an offset: its date in Europe/Oslo) or an array [2027, 1, 31]"

    /// The date of one of the text forms, or nil.
    public static func parse(_ text: String) -> CalendarDate? {
        let bytes = Array(text.utf8)
        guard bytes.count >= 10, let date = CalendarDate(iso: String(decoding: bytes[0..<10], as: UTF8.self)) else { return nil }
        if bytes.count == 10 { return date }
        guard bytes[10] == UInt8(ascii: "T") || bytes[10] == UInt8(ascii: "t") else { return nil }
        var reader = Reader(bytes: bytes, index: 11)
        guard let hour = reader.digits(2), hour <= 23, reader.skip(":"), let minute = reader.digits(2), minute <= 59 else { return nil }
        var second = 0
        if reader.skip(":") {
            guard let value = reader.digits(2), value <= 60 else { return nil }
            second = value
            if reader.skip(".") || reader.skip(",") {
                guard reader.fraction() else { return nil }
            }
        }
        if reader.atEnd { return date }  // a local date-time: its date part
        guard let offset = reader.zoneOffsetSeconds(), reader.atEnd else { return nil }
        let utc = Int64(date.daysSinceEpoch) * 86_400 + Int64(hour * 3_600 + minute * 60 + min(second, 59)) - Int64(offset)
        let oslo = utc + Int64(osloOffsetSeconds(atUTC: utc))
        return CalendarDate(daysSinceEpoch: Int(floorDivide(oslo, 86_400)))
    }

    /// The date of the array form `[year, month, day]`, or nil.
    public static func parse(_ parts: [Int]) -> CalendarDate? {
        guard parts.count == 3 else { return nil }
        return CalendarDate(year: parts[0], month: parts[1], day: parts[2])
    }

    /// Europe/Oslo's offset from UTC at an instant (seconds since 1970 UTC).
    static func osloOffsetSeconds(atUTC seconds: Int64) -> Int {
        let year = CalendarDate(daysSinceEpoch: Int(floorDivide(seconds, 86_400)))?.year ?? 1970
        func lastSundayOneAM(month: Int) -> Int64 {
            let last = CalendarDate(year: year, month: month, day: 31)!.daysSinceEpoch
            let weekday = ((last + 4) % 7 + 7) % 7  // 1970-01-01 was a Thursday; Sunday = 0
            return Int64(last - weekday) * 86_400 + 3_600
        }
        let summer = lastSundayOneAM(month: 3)..<lastSundayOneAM(month: 10)
        return summer.contains(seconds) ? 7_200 : 3_600
    }

    private static func floorDivide(_ value: Int64, _ divisor: Int64) -> Int64 {
        value >= 0 ? value / divisor : -((-value + divisor - 1) / divisor)
    }

    /// Reads the time part of a date-time, byte by byte.
    private struct Reader {
        let bytes: [UInt8]
        var index: Int

        var atEnd: Bool { index == bytes.count }

        mutating func skip(_ character: Character) -> Bool {
            guard index < bytes.count, bytes[index] == character.asciiValue else { return false }
            index += 1
            return true
        }

        mutating func digits(_ count: Int) -> Int? {
            guard index + count <= bytes.count else { return nil }
            var value = 0
            for byte in bytes[index..<index + count] {
                guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { return nil }
                value = value * 10 + Int(byte - UInt8(ascii: "0"))
            }
            index += count
            return value
        }

        /// One to nine digits of a second's fraction.
        mutating func fraction() -> Bool {
            let start = index
            while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) { index += 1 }
            return (1...9).contains(index - start)
        }

        /// `Z`, or `±HH:MM`, `±HHMM`, `±HH`.
        mutating func zoneOffsetSeconds() -> Int? {
            if skip("Z") || skip("z") { return 0 }
            let sign: Int
            if skip("+") { sign = 1 } else if skip("-") { sign = -1 } else { return nil }
            guard let hours = digits(2), hours <= 18 else { return nil }
            var minutes = 0
            if !atEnd {
                _ = skip(":")
                guard let value = digits(2), value <= 59 else { return nil }
                minutes = value
            }
            return sign * (hours * 3_600 + minutes * 60)
        }
    }
}

extension CalendarDate {
    /// Days since 1970-01-01 (negative before), in the proleptic Gregorian calendar.
    var daysSinceEpoch: Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The date `days` after 1970-01-01; nil outside years 1–9999.
    init?(daysSinceEpoch days: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        self.init(year: yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month: month, day: day)
    }
}
