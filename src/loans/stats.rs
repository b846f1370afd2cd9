//! The statistics page's chart: overdue counts per area over time as a
//! server-rendered SVG line chart (no JavaScript). Pure functions.

use chrono::{DateTime, Datelike, NaiveDate, Utc};

/// One line of the chart.
#[derive(Clone, Debug)]
pub struct Series {
    pub label: String,
    pub points: Vec<(DateTime<Utc>, i64)>,
}

const COLOURS: [&str; 6] = [
    "#004993", "#b51d09", "#358000", "#7b4fa0", "#c25e00", "#006d77",
];
const WIDTH: f64 = 720.0;
const HEIGHT: f64 = 300.0;
const LEFT: f64 = 48.0;
const RIGHT: f64 = 16.0;
const TOP: f64 = 16.0;
const BOTTOM: f64 = 40.0;

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A round upper bound for the y axis: 1, 2, 5 × 10^n.
pub fn nice_max(max: i64) -> i64 {
    let max = max.max(1);
    let mut step = 1i64;
    loop {
        for m in [1, 2, 5] {
            if step.saturating_mul(m) >= max {
                return step.saturating_mul(m);
            }
        }
        step = step.saturating_mul(10);
    }
}

/// The SVG markup; `title` names the chart for screen readers.
pub fn line_chart(series: &[Series], title: &str) -> String {
    let all: Vec<&(DateTime<Utc>, i64)> = series.iter().flat_map(|s| &s.points).collect();
    let mut svg = format!(
        "<svg class=\"chart\" viewBox=\"0 0 {WIDTH} {HEIGHT}\" role=\"img\" aria-label=\"{}\" xmlns=\"http://www.w3.org/2000/svg\">",
        escape(title)
    );
    let (Some(first), Some(last)) = (all.iter().map(|p| p.0).min(), all.iter().map(|p| p.0).max())
    else {
        svg.push_str("<text x=\"20\" y=\"40\">Ingen lister trukket endnu</text></svg>");
        return svg;
    };
    let top = nice_max(all.iter().map(|p| p.1).max().unwrap_or(1));
    let span = (last - first).num_seconds().max(1) as f64;
    let plot_w = WIDTH - LEFT - RIGHT;
    let plot_h = HEIGHT - TOP - BOTTOM;
    let x = |at: DateTime<Utc>| {
        if last == first {
            LEFT + plot_w / 2.0
        } else {
            LEFT + plot_w * (at - first).num_seconds() as f64 / span
        }
    };
    let y = |n: i64| TOP + plot_h * (1.0 - n as f64 / top as f64);
    // Grid and y labels: 0, ¼, ½, ¾, top.
    for i in 0..=4 {
        let value = top * i / 4;
        let yy = y(value);
        svg.push_str(&format!(
            "<line x1=\"{LEFT}\" x2=\"{:.1}\" y1=\"{yy:.1}\" y2=\"{yy:.1}\" stroke=\"#d9d9d9\"/>\
             <text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\" font-size=\"12\">{value}</text>",
            WIDTH - RIGHT,
            LEFT - 6.0,
            yy + 4.0
        ));
    }
    // x labels: the first and last day, and the middle when far apart.
    let mut ticks = vec![(first, "start"), (last, "end")];
    if last == first {
        ticks = vec![(first, "middle")];
    } else if span > 86_400.0 * 14.0 {
        ticks.push((first + (last - first) / 2, "middle"));
    }
    for (at, anchor) in ticks {
        svg.push_str(&format!(
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"{anchor}\" font-size=\"12\">{}</text>",
            x(at),
            HEIGHT - BOTTOM + 18.0,
            crate::web::local_date(crate::clock::local_date(at))
        ));
    }
    for (i, s) in series.iter().enumerate() {
        let colour = COLOURS[i % COLOURS.len()];
        let path: Vec<String> = s
            .points
            .iter()
            .map(|(at, n)| format!("{:.1},{:.1}", x(*at), y(*n)))
            .collect();
        if path.len() > 1 {
            svg.push_str(&format!(
                "<polyline fill=\"none\" stroke=\"{colour}\" stroke-width=\"2.5\" points=\"{}\"/>",
                path.join(" ")
            ));
        }
        for (at, n) in &s.points {
            svg.push_str(&format!(
                "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"3.5\" fill=\"{colour}\"><title>{}: {n}</title></circle>",
                x(*at),
                y(*n),
                escape(&s.label)
            ));
        }
        // Legend under the plot.
        let lx = LEFT + 140.0 * i as f64;
        svg.push_str(&format!(
            "<rect x=\"{lx:.1}\" y=\"{:.1}\" width=\"12\" height=\"12\" fill=\"{colour}\"/>\
             <text x=\"{:.1}\" y=\"{:.1}\" font-size=\"12\">{}</text>",
            HEIGHT - 14.0,
            lx + 16.0,
            HEIGHT - 3.0,
            escape(&s.label)
        ));
    }
    svg.push_str("</svg>");
    svg
}

/// The first day of each of the `n` months up to and including `today`'s.
pub fn last_months(today: NaiveDate, n: u32) -> Vec<NaiveDate> {
    let this = NaiveDate::from_ymd_opt(today.year(), today.month(), 1).unwrap_or(today);
    (0..n)
        .rev()
        .filter_map(|back| this.checked_sub_months(chrono::Months::new(back)))
        .collect()
}

/// "nov. 2026"
pub fn month_label(month: NaiveDate) -> String {
    const NAMES: [&str; 12] = [
        "jan.", "feb.", "mar.", "apr.", "maj", "jun.", "jul.", "aug.", "sep.", "okt.", "nov.",
        "dec.",
    ];
    let name = NAMES
        .get(usize::try_from(month.month0()).unwrap_or(0))
        .copied()
        .unwrap_or("");
    format!("{name} {}", month.year())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(day: u32) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(&format!("2026-11-{day:02}T08:00:00Z"))
            .unwrap()
            .to_utc()
    }

    #[test]
    fn nice_maxima_are_round() {
        assert_eq!(nice_max(0), 1);
        assert_eq!(nice_max(3), 5);
        assert_eq!(nice_max(12), 20);
        assert_eq!(nice_max(430), 500);
        assert_eq!(nice_max(1000), 1000);
    }

    #[test]
    fn the_chart_has_a_line_per_area_and_escapes_labels() {
        let series = vec![
            Series {
                label: "Nord <&>".into(),
                points: vec![(at(2), 40), (at(9), 30), (at(16), 20)],
            },
            Series {
                label: "Syd".into(),
                points: vec![(at(2), 10)],
            },
        ];
        let svg = line_chart(&series, "Overskredne lån");
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert_eq!(svg.matches("<polyline").count(), 1);
        assert_eq!(svg.matches("<circle").count(), 4);
        assert!(svg.contains("Nord &lt;&amp;&gt;") && !svg.contains("<&>"));
    }

    #[test]
    fn an_empty_chart_says_so() {
        assert!(line_chart(&[], "x").contains("Ingen lister"));
    }

    #[test]
    fn the_last_twelve_months_end_with_this_one() {
        let months = last_months(NaiveDate::from_ymd_opt(2026, 11, 23).unwrap(), 12);
        assert_eq!(months.len(), 12);
        assert_eq!(months[0], NaiveDate::from_ymd_opt(2025, 12, 1).unwrap());
        assert_eq!(months[11], NaiveDate::from_ymd_opt(2026, 11, 1).unwrap());
        assert_eq!(month_label(months[11]), "nov. 2026");
    }
}
