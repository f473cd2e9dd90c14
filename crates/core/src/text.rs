//! Numbers as people read them in sentences and tables.

/// A number as a table shows it: thousands separated, at most three significant decimals.
pub fn human(v: f64) -> String {
    if !v.is_finite() {
        return "–".into();
    }
    let a = v.abs();
    let text = if a >= 100.0 || v == v.round() {
        format!("{:.0}", v.round())
    } else if a >= 1.0 {
        format!("{v:.2}")
    } else {
        format!("{v:.3}")
    };
    let (sign, body) = text
        .strip_prefix('-')
        .map_or(("", text.as_str()), |b| ("-", b));
    let (int, frac) = body
        .split_once('.')
        .map_or((body, None), |(i, f)| (i, Some(f)));
    let mut grouped = String::new();
    for (k, ch) in int.chars().enumerate() {
        if k > 0 && (int.len() - k) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(ch);
    }
    match frac {
        Some(f) => format!("{sign}{grouped}.{f}"),
        None => format!("{sign}{grouped}"),
    }
}

#[cfg(test)]
mod tests {
    use super::human;

    #[test]
    fn thousands_are_separated_and_decimals_kept_short() {
        assert_eq!(human(130652.0), "130,652");
        assert_eq!(human(-1234567.0), "-1,234,567");
        assert_eq!(human(-4321.4), "-4,321");
        assert_eq!(human(999.0), "999");
        assert_eq!(human(12.345), "12.35");
        assert_eq!(human(0.01234), "0.012");
        assert_eq!(human(f64::NAN), "–");
    }
}
