//! Travel matrices: straight-line distance × road factor at an average speed (the
//! default, no network), or an OSRM-compatible table service when one is configured.
//!
//! The OSRM client is a minimal blocking HTTP/1.1 GET over `std::net` (plain `http://`
//! only: the service is expected on the depot's own network), so the main build needs
//! no HTTP client crate. Call it from `tokio::task::spawn_blocking` in async code.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use super::TravelMatrix;

/// Road distance is about 1.3 × the straight line in Danish towns and countryside.
pub const DEFAULT_ROAD_FACTOR: f64 = 1.3;
/// A delivery van's average speed including towns, km/h.
pub const DEFAULT_SPEED_KMH: f64 = 40.0;
/// What an unreachable pair costs: far more than any day, so it is never chosen.
const UNREACHABLE: i64 = 1_000_000_000;

/// Great-circle distance in metres between two (latitude, longitude) points.
pub fn haversine_m(a: (f64, f64), b: (f64, f64)) -> f64 {
    let r = 6_371_000.0;
    let (la1, la2) = (a.0.to_radians(), b.0.to_radians());
    let dla = la2 - la1;
    let dlo = (b.1 - a.1).to_radians();
    let h = (dla / 2.0).sin().powi(2) + la1.cos() * la2.cos() * (dlo / 2.0).sin().powi(2);
    2.0 * r * h.sqrt().min(1.0).asin()
}

/// Metres and seconds between every pair of (latitude, longitude) points.
pub fn straight_line_matrix(
    coords: &[(f64, f64)],
    road_factor: f64,
    speed_kmh: f64,
) -> TravelMatrix {
    let size = coords.len();
    let speed = (speed_kmh.max(1.0)) / 3.6;
    let mut distances = Vec::with_capacity(size * size);
    let mut durations = Vec::with_capacity(size * size);
    for &a in coords {
        for &b in coords {
            let metres = haversine_m(a, b) * road_factor;
            distances.push(metres.round() as i64);
            durations.push((metres / speed).round() as i64);
        }
    }
    TravelMatrix {
        size,
        durations,
        distances,
    }
}

/// `{base}/table/v1/driving/{lon},{lat};...?annotations=duration,distance`.
pub fn osrm_table_url(base: &str, coords: &[(f64, f64)]) -> String {
    let points: Vec<String> = coords
        .iter()
        .map(|(lat, lon)| format!("{lon:.6},{lat:.6}"))
        .collect();
    format!(
        "{}/table/v1/driving/{}?annotations=duration,distance",
        base.trim_end_matches('/'),
        points.join(";")
    )
}

/// Reads an OSRM table response (`durations` in seconds, `distances` in metres;
/// `null` for pairs with no route).
pub fn parse_osrm_table(body: &str, size: usize) -> Result<TravelMatrix, String> {
    let value: serde_json::Value =
        serde_json::from_str(body).map_err(|e| format!("not JSON: {e}"))?;
    let code = value.get("code").and_then(|c| c.as_str()).unwrap_or("");
    if code != "Ok" {
        let message = value.get("message").and_then(|m| m.as_str()).unwrap_or("");
        return Err(format!("table service answered {code:?} {message}"));
    }
    let grid = |name: &str| -> Result<Vec<i64>, String> {
        let rows = value
            .get(name)
            .and_then(|r| r.as_array())
            .ok_or(format!("no {name} in the answer"))?;
        if rows.len() != size {
            return Err(format!("{name}: {} rows for {size} places", rows.len()));
        }
        let mut out = Vec::with_capacity(size * size);
        for row in rows {
            let cells = row
                .as_array()
                .ok_or(format!("{name}: a row is not a list"))?;
            if cells.len() != size {
                return Err(format!("{name}: a row has {} cells", cells.len()));
            }
            for cell in cells {
                out.push(cell.as_f64().map_or(UNREACHABLE, |x| x.round() as i64));
            }
        }
        Ok(out)
    };
    Ok(TravelMatrix {
        size,
        durations: grid("durations")?,
        distances: grid("distances")?,
    })
}

/// Asks an OSRM-compatible service at `base` (e.g. `http://osrm.local:5000`) for the
/// matrix between `coords` (latitude, longitude).
pub fn fetch_osrm_table(base: &str, coords: &[(f64, f64)]) -> Result<TravelMatrix, String> {
    let body = http_get(&osrm_table_url(base, coords), Duration::from_secs(20))?;
    parse_osrm_table(&body, coords.len())
}

fn http_get(address: &str, timeout: Duration) -> Result<String, String> {
    let url = url::Url::parse(address).map_err(|e| format!("bad URL: {e}"))?;
    if url.scheme() != "http" {
        return Err("only http:// table services are supported".to_owned());
    }
    let host = url.host_str().ok_or("the URL has no host")?;
    let port = url.port_or_known_default().unwrap_or(80);
    let mut path = url.path().to_owned();
    if let Some(q) = url.query() {
        path = format!("{path}?{q}");
    }
    let mut stream =
        TcpStream::connect((host, port)).map_err(|e| format!("cannot reach {host}:{port}: {e}"))?;
    let _ = stream.set_read_timeout(Some(timeout));
    let _ = stream.set_write_timeout(Some(timeout));
    let request = format!(
        "GET {path} HTTP/1.1\r\nHost: {host}\r\nAccept: application/json\r\nConnection: close\r\n\r\n"
    );
    stream
        .write_all(request.as_bytes())
        .map_err(|e| format!("cannot send: {e}"))?;
    let mut raw = Vec::new();
    stream
        .read_to_end(&mut raw)
        .map_err(|e| format!("cannot read the answer: {e}"))?;
    parse_http_response(&raw)
}

/// The body of a 200 answer; handles `Content-Length` and chunked bodies.
fn parse_http_response(raw: &[u8]) -> Result<String, String> {
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or("incomplete HTTP answer")?;
    let head = String::from_utf8_lossy(&raw[..split]).to_ascii_lowercase();
    let body = &raw[split + 4..];
    let status = head.split_whitespace().nth(1).unwrap_or("");
    if status != "200" {
        return Err(format!("table service answered HTTP {status}"));
    }
    let bytes = if head.contains("transfer-encoding: chunked") {
        dechunk(body)?
    } else {
        body.to_vec()
    };
    String::from_utf8(bytes).map_err(|_| "the answer is not UTF-8".to_owned())
}

fn dechunk(mut body: &[u8]) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    loop {
        let line_end = body
            .windows(2)
            .position(|w| w == b"\r\n")
            .ok_or("broken chunked body")?;
        let size_text = String::from_utf8_lossy(&body[..line_end]);
        let size_hex = size_text.split(';').next().unwrap_or("").trim();
        let size = usize::from_str_radix(size_hex, 16).map_err(|_| "broken chunk size")?;
        body = &body[line_end + 2..];
        if size == 0 {
            return Ok(out);
        }
        let chunk = body.get(..size).ok_or("truncated chunk")?;
        out.extend_from_slice(chunk);
        body = body.get(size + 2..).ok_or("truncated chunk")?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_straight_line_matrix_uses_road_factor_and_speed() {
        // Randers C to Assentoft, about 6.4 km in a straight line.
        let m = straight_line_matrix(&[(56.4607, 10.0364), (56.4417, 10.1385)], 1.3, 40.0);
        let d = m.distance(0, 1);
        assert!((8000..8800).contains(&d), "{d}");
        assert_eq!(m.duration(0, 1), (d as f64 / (40.0 / 3.6)).round() as i64);
        assert_eq!(m.distance(0, 0), 0);
        assert_eq!(m.distance(1, 0), d);
    }

    #[test]
    fn the_osrm_url_lists_longitude_first() {
        let url = osrm_table_url("http://osrm:5000/", &[(56.46, 10.03), (56.5, 10.1)]);
        assert_eq!(
            url,
            "http://osrm:5000/table/v1/driving/10.030000,56.460000;10.100000,56.500000?annotations=duration,distance"
        );
    }

    #[test]
    fn an_osrm_answer_becomes_a_matrix_with_unreachable_pairs_expensive() {
        let body = r#"{"code":"Ok","durations":[[0,61.4],[59.9,null]],
            "distances":[[0,812.2],[790,0]],"sources":[],"destinations":[]}"#;
        let m = parse_osrm_table(body, 2).expect("parses");
        assert_eq!(m.durations, vec![0, 61, 60, UNREACHABLE]);
        assert_eq!(m.distances, vec![0, 812, 790, 0]);
        assert!(parse_osrm_table(r#"{"code":"InvalidQuery","message":"x"}"#, 2).is_err());
        assert!(
            parse_osrm_table(r#"{"code":"Ok","durations":[[0]],"distances":[[0]]}"#, 2).is_err()
        );
    }

    #[test]
    fn http_answers_with_length_or_chunks_are_read() {
        let plain = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}";
        assert_eq!(parse_http_response(plain).expect("ok"), "{}");
        let chunked = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\n{\"a\r\n4\r\n\":1}\r\n0\r\n\r\n";
        assert_eq!(parse_http_response(chunked).expect("ok"), "{\"a\":1}");
        assert!(parse_http_response(b"HTTP/1.1 404 Not Found\r\n\r\n").is_err());
    }
}
