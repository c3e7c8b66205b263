/// Conversions between proleptic Gregorian calendar dates and days since 1970-01-01
/// (Howard Hinnant's `days_from_civil` algorithm, exact for every representable year).
public enum CivilDate {
    /// Days since 1970-01-01 of year `y`, month `m` (1–12), day `d` (1–31).
    @inlinable public static func days(year y: Int, month m: Int, day d: Int) -> Int {
        let y2 = m <= 2 ? y - 1 : y
        let era = (y2 >= 0 ? y2 : y2 - 399) / 400
        let yoe = y2 - era * 400
        let mp = (m + 9) % 12
        let doy = (153 * mp + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// Year, month, day of `days` since 1970-01-01.
    public static func civil(days: Int) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }

    /// Days in month `m` of year `y`.
    @inlinable public static func daysInMonth(year y: Int, month m: Int) -> Int {
        switch m {
        case 2: return (y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Weekday of `days` since 1970-01-01: 0 = Monday … 6 = Sunday (ISO order).
    public static func weekday(days: Int) -> Int { ((days % 7) + 7 + 3) % 7 }

    /// `YYYY-MM-DD`.
    public static func format(days: Int32) -> String {
        let (y, m, d) = civil(days: Int(days))
        return pad(y, 4) + "-" + pad(m, 2) + "-" + pad(d, 2)
    }

    /// ISO 8601 in UTC: `YYYY-MM-DDTHH:MM:SSZ`, with `.ffffff` when there are sub-second digits.
    public static func format(micros: Int64) -> String {
        let (secs, frac) = micros.quotientAndRemainder(dividingBy: 1_000_000)
        let s = frac < 0 ? secs - 1 : secs
        let f = frac < 0 ? frac + 1_000_000 : frac
        let (days, sod) = s.quotientAndRemainder(dividingBy: 86_400)
        let dd = sod < 0 ? days - 1 : days
        let sd = sod < 0 ? sod + 86_400 : sod
        var out = format(days: Int32(dd)) + "T" + pad(Int(sd / 3600), 2) + ":" + pad(Int(sd / 60 % 60), 2) + ":"
            + pad(Int(sd % 60), 2)
        if f != 0 { out += "." + pad(Int(f), 6) }
        return out + "Z"
    }

    private static func pad(_ v: Int, _ width: Int) -> String {
        let s = String(abs(v))
        return (v < 0 ? "-" : "") + String(repeating: "0", count: max(0, width - s.count)) + s
    }
}
