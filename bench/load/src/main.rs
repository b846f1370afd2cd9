//! Load generator for `bench/load.sh`: a closed-loop model of `--clients` users,
//! each with one keep-alive HTTP/1.1 connection bound to its own loopback source
//! address (127.0.0.2, .3, ...), so the per-IP limit of the public Kvik endpoints
//! sees many citizens, as it would in production. Each user picks a request from
//! the weighted mix, waits for the whole response, then thinks for a random
//! 0.5-1.5 x `--think-ms` before the next one (0 = no think time: saturation).
//!
//!   depot-load mixed --addr 127.0.0.1:PORT --clients 200 --seconds 60 --think-ms 1000 \
//!       --session COOKIE --depot-token T --orderer-token T --citizens N --orders N
//!   depot-load ratelimit --addr 127.0.0.1:PORT --requests 200
//!   depot-load mixed ... --only 3     # one entry of the mix alone (0-based)
//!
//! Prints a table per request kind and one `RESULT key=value ...` line.

use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::SendRequest;
use hyper::{Method, Request, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::TcpSocket;

type Sender = SendRequest<Full<Bytes>>;

#[derive(Clone, Debug)]
struct Args {
    mode: String,
    addr: SocketAddr,
    clients: usize,
    seconds: u64,
    think_ms: u64,
    session: String,
    depot_token: String,
    orderer_token: String,
    citizens: u32,
    orders: u32,
    discharge: String,
    requests: usize,
    first_source: u8,
    /// Only this entry of `MIX` (0-based): the cost of one kind of request alone.
    only: Option<usize>,
}

fn parse_args() -> Result<Args, String> {
    let mut it = std::env::args().skip(1);
    let mode = it.next().ok_or("usage: depot-load mixed|ratelimit --addr HOST:PORT ...")?;
    let mut map = BTreeMap::new();
    while let Some(key) = it.next() {
        let value = it.next().ok_or(format!("{key} needs a value"))?;
        map.insert(key.trim_start_matches("--").to_owned(), value);
    }
    let get = |k: &str, d: &str| map.get(k).cloned().unwrap_or_else(|| d.to_owned());
    let num = |k: &str, d: &str| -> Result<u64, String> {
        get(k, d).parse().map_err(|_| format!("--{k} must be a number"))
    };
    Ok(Args {
        mode,
        addr: get("addr", "127.0.0.1:8080")
            .parse()
            .map_err(|_| "--addr must be IP:PORT")?,
        clients: num("clients", "200")? as usize,
        seconds: num("seconds", "60")?,
        think_ms: num("think-ms", "1000")?,
        session: get("session", ""),
        depot_token: get("depot-token", ""),
        orderer_token: get("orderer-token", ""),
        citizens: num("citizens", "100000")? as u32,
        orders: num("orders", "200000")? as u32,
        discharge: get("discharge", "2030-01-01T10:00:00+01:00"),
        requests: num("requests", "200")? as usize,
        first_source: num("first-source", "2")? as u8,
        only: match map.get("only") {
            Some(v) => Some(
                v.parse::<usize>()
                    .ok()
                    .filter(|&i| i < MIX.len())
                    .ok_or(format!("--only must be 0..{}", MIX.len() - 1))?,
            ),
            None => None,
        },
    })
}

/// What one kind of request came to.
#[derive(Default, Clone)]
struct Stats {
    micros: Vec<u32>,
    ok: u64,
    conflict: u64,
    invalid: u64,
    limited: u64,
    other_4xx: u64,
    server_error: u64,
    socket: u64,
}

impl Stats {
    fn record(&mut self, status: StatusCode, micros: u32) {
        self.micros.push(micros);
        match status.as_u16() {
            200..=399 => self.ok += 1,
            409 => self.conflict += 1,
            422 => self.invalid += 1,
            429 => self.limited += 1,
            400..=499 => self.other_4xx += 1,
            _ => self.server_error += 1,
        }
    }

    fn merge(&mut self, other: &Stats) {
        self.micros.extend_from_slice(&other.micros);
        self.ok += other.ok;
        self.conflict += other.conflict;
        self.invalid += other.invalid;
        self.limited += other.limited;
        self.other_4xx += other.other_4xx;
        self.server_error += other.server_error;
        self.socket += other.socket;
    }

    fn total(&self) -> u64 {
        self.micros.len() as u64
    }
}

/// Percentile of sorted microseconds, in milliseconds.
fn pct(sorted: &[u32], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    f64::from(sorted[rank.clamp(1, sorted.len()) - 1]) / 1000.0
}

/// Small xorshift; the mix needs no better randomness.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u32) -> u32 {
        (self.next() % u64::from(n.max(1))) as u32
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    PageStart,
    PageOrders,
    PageOrder,
    PageLoans,
    PageCitizen,
    ApiOverdue,
    ApiOrder,
    ApiOrderList,
    ApiCreateOrder,
    PublicSlotsApi,
    PublicKvikPage,
    PublicBook,
    PublicConfirmation,
}

impl Kind {
    fn label(self) -> &'static str {
        match self {
            Kind::PageStart => "page  GET /",
            Kind::PageOrders => "page  GET /orders",
            Kind::PageOrder => "page  GET /orders/{id}",
            Kind::PageLoans => "page  GET /loans?area=syd",
            Kind::PageCitizen => "page  GET /citizens/{id}",
            Kind::ApiOverdue => "api   GET loans overdue syd 100",
            Kind::ApiOrder => "api   GET /api/v1/orders/{id}",
            Kind::ApiOrderList => "api   GET orders?status=received",
            Kind::ApiCreateOrder => "api   POST /api/v1/orders",
            Kind::PublicSlotsApi => "pub   GET /api/v1/kvik/slots",
            Kind::PublicKvikPage => "pub   GET /kvik?day=D",
            Kind::PublicBook => "pub   POST /kvik/book",
            Kind::PublicConfirmation => "pub   GET /kvik/booking/{id}",
        }
    }
}

/// The weighted mix (percent). A booking is followed by its confirmation page.
const MIX: [(Kind, u32); 12] = [
    (Kind::PageStart, 4),
    (Kind::PageOrders, 8),
    (Kind::PageOrder, 6),
    (Kind::PageLoans, 7),
    (Kind::PageCitizen, 7),
    (Kind::ApiOverdue, 10),
    (Kind::ApiOrder, 12),
    (Kind::ApiOrderList, 5),
    (Kind::ApiCreateOrder, 10),
    (Kind::PublicSlotsApi, 5),
    (Kind::PublicKvikPage, 18),
    (Kind::PublicBook, 8),
];

fn pick(rng: &mut Rng) -> Kind {
    let total: u32 = MIX.iter().map(|(_, w)| w).sum();
    let mut roll = rng.below(total);
    for (kind, weight) in MIX {
        if roll < weight {
            return kind;
        }
        roll -= weight;
    }
    Kind::PageStart
}

/// One simulated user: its connection, its cookies and what it has seen.
struct User {
    args: Arc<Args>,
    source: IpAddr,
    sender: Option<Sender>,
    rng: Rng,
    csrf_cookie: Option<String>,
    days: Vec<String>,
    slots: Vec<String>,
    seq: u64,
    id: usize,
}

struct Reply {
    status: StatusCode,
    body: Bytes,
    set_cookie: Vec<String>,
    location: Option<String>,
}

async fn connect(source: IpAddr, addr: SocketAddr) -> std::io::Result<Sender> {
    let socket = TcpSocket::new_v4()?;
    socket.bind(SocketAddr::new(source, 0))?;
    let stream = socket.connect(addr).await?;
    stream.set_nodelay(true)?;
    let (sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .map_err(std::io::Error::other)?;
    tokio::spawn(conn);
    Ok(sender)
}

impl User {
    async fn send(&mut self, req: Request<Full<Bytes>>) -> Result<Reply, String> {
        let ready = match self.sender.as_mut() {
            Some(s) => s.ready().await.is_ok(),
            None => false,
        };
        if !ready {
            self.sender = Some(
                connect(self.source, self.args.addr)
                    .await
                    .map_err(|e| e.to_string())?,
            );
        }
        let sender = self.sender.as_mut().ok_or("no connection")?;
        let response = sender.send_request(req).await.map_err(|e| {
            self.sender = None;
            e.to_string()
        })?;
        let status = response.status();
        let set_cookie = response
            .headers()
            .get_all(hyper::header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok().map(str::to_owned))
            .collect();
        let location = response
            .headers()
            .get(hyper::header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let body = match response.into_body().collect().await {
            Ok(b) => b.to_bytes(),
            Err(e) => {
                self.sender = None;
                return Err(e.to_string());
            }
        };
        Ok(Reply {
            status,
            body,
            set_cookie,
            location,
        })
    }

    fn request(&self, method: Method, path: &str) -> hyper::http::request::Builder {
        Request::builder()
            .method(method)
            .uri(path)
            .header(hyper::header::HOST, self.args.addr.to_string())
    }

    fn staff(&self, path: &str) -> Request<Full<Bytes>> {
        self.request(Method::GET, path)
            .header(
                hyper::header::COOKIE,
                format!("depot_session={}", self.args.session),
            )
            .body(Full::default())
            .unwrap_or_default()
    }

    fn bearer(&self, path: &str, token: &str) -> Request<Full<Bytes>> {
        self.request(Method::GET, path)
            .header(hyper::header::AUTHORIZATION, format!("Bearer {token}"))
            .body(Full::default())
            .unwrap_or_default()
    }

    fn public(&self, method: Method, path: &str, form: Option<String>) -> Request<Full<Bytes>> {
        let mut b = self.request(method, path);
        if let Some(c) = &self.csrf_cookie {
            b = b.header(hyper::header::COOKIE, format!("depot_csrf={c}"));
        }
        match form {
            Some(body) => b
                .header(
                    hyper::header::CONTENT_TYPE,
                    "application/x-www-form-urlencoded",
                )
                .body(Full::new(Bytes::from(body)))
                .unwrap_or_default(),
            None => b.body(Full::default()).unwrap_or_default(),
        }
    }

    fn remember_cookie(&mut self, reply: &Reply) {
        for c in &reply.set_cookie {
            if let Some(rest) = c.strip_prefix("depot_csrf=") {
                self.csrf_cookie = rest.split(';').next().map(str::to_owned);
            }
        }
    }

    /// Builds the request of `kind`; `None` when it needs something not seen yet.
    fn build(&mut self, kind: Kind) -> Option<Request<Full<Bytes>>> {
        let a = self.args.clone();
        let citizen = 1 + self.rng.below(a.citizens);
        let order = 1 + self.rng.below(a.orders);
        Some(match kind {
            Kind::PageStart => self.staff("/"),
            Kind::PageOrders => self.staff("/orders"),
            Kind::PageOrder => self.staff(&format!("/orders/{order}")),
            Kind::PageLoans => self.staff("/loans?area=syd"),
            Kind::PageCitizen => self.staff(&format!("/citizens/{citizen}")),
            Kind::ApiOverdue => self.bearer(
                "/api/v1/loans?status=overdue&area=syd&limit=100",
                &a.depot_token,
            ),
            Kind::ApiOrder => self.bearer(&format!("/api/v1/orders/{order}"), &a.depot_token),
            Kind::ApiOrderList => self.bearer(
                "/api/v1/orders?status=received&limit=100",
                &a.depot_token,
            ),
            Kind::ApiCreateOrder => {
                self.seq += 1;
                // An existing citizen (CPR as bench/seed.sh makes them) at a new address.
                let cpr = format!("{:02}0140{:04}", 1 + citizen / 10000, citizen % 10000);
                let body = format!(
                    r#"{{"kind":"delivery","citizen":{{"cpr":"{cpr}","name":"Borger {citizen}","phone":"+4586123456"}},"address":{{"street":"Lastvej","house_number":"{}","postal_code":"8920","city":"Randers NV"}},"discharge_at":"{}","delivery_mode":"delivery","legal_basis":"sundhedsloven_140","lines":[{{"product_code":"12-06-00-01","quantity":1}},{{"product_code":"12-06-01-02","quantity":1}}],"contact_phone":"+4512345678"}}"#,
                    1 + self.rng.below(400),
                    a.discharge
                );
                self.request(Method::POST, "/api/v1/orders")
                    .header(
                        hyper::header::AUTHORIZATION,
                        format!("Bearer {}", a.orderer_token),
                    )
                    .header(hyper::header::CONTENT_TYPE, "application/json")
                    .header(
                        "idempotency-key",
                        format!("load-{}-{}-{}", self.id, self.seq, self.rng.next()),
                    )
                    .body(Full::new(Bytes::from(body)))
                    .unwrap_or_default()
            }
            Kind::PublicSlotsApi => self.public(Method::GET, "/api/v1/kvik/slots", None),
            Kind::PublicKvikPage => {
                let path = match self.days.len() {
                    0 => "/kvik".to_owned(),
                    n => format!("/kvik?day={}", self.days[self.rng.below(n as u32) as usize]),
                };
                self.public(Method::GET, &path, None)
            }
            Kind::PublicBook => {
                let (Some(csrf), false) = (self.csrf_cookie.clone(), self.slots.is_empty()) else {
                    return None;
                };
                let slot = self.slots[self.rng.below(self.slots.len() as u32) as usize].clone();
                let form = format!(
                    "csrf_token={}&slot_start={}&name=Borger+Bench&phone=%2B4512345678&email=&need=Rollator+skal+justeres&aids=rollator&website=",
                    enc(&csrf),
                    enc(&slot)
                );
                self.public(Method::POST, "/kvik/book", Some(form))
            }
            Kind::PublicConfirmation => return None,
        })
    }

    /// Learns days and free times from a Kvik page.
    fn learn(&mut self, body: &[u8]) {
        let html = String::from_utf8_lossy(body);
        let days = between_all(&html, "href=\"/kvik?day=", "#");
        if !days.is_empty() {
            self.days = days;
        }
        let slots = between_all(&html, "name=\"slot_start\" value=\"", "\"");
        if !slots.is_empty() {
            self.slots = slots;
        }
    }
}

fn between_all(text: &str, start: &str, end: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find(start) {
        rest = &rest[i + start.len()..];
        if let Some(j) = rest.find(end) {
            out.push(rest[..j].to_owned());
            rest = &rest[j..];
        }
    }
    out
}

fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

type KindStats = BTreeMap<Kind, Stats>;

async fn run_user(args: Arc<Args>, id: usize, end: Instant) -> KindStats {
    let offset = u8::try_from(id % 250).unwrap_or(0);
    let source = IpAddr::V4(Ipv4Addr::new(127, 0, 0, args.first_source.saturating_add(offset)));
    let mut user = User {
        args: args.clone(),
        source,
        sender: None,
        rng: Rng(0x9E37_79B9_7F4A_7C15 ^ ((id as u64 + 1) * 0x2545_F491_4F6C_DD1D)),
        csrf_cookie: None,
        days: Vec::new(),
        slots: Vec::new(),
        seq: 0,
        id,
    };
    let mut stats = KindStats::new();
    // Users start spread over the first think time, not all in the same instant.
    if args.think_ms > 0 {
        tokio::time::sleep(Duration::from_millis(user.rng.below(args.think_ms as u32).into())).await;
    }
    while Instant::now() < end {
        let mut kind = match args.only {
            Some(i) => MIX[i].0,
            None => pick(&mut user.rng),
        };
        let req = match user.build(kind) {
            Some(r) => r,
            None => {
                kind = Kind::PublicKvikPage;
                match user.build(kind) {
                    Some(r) => r,
                    None => continue,
                }
            }
        };
        let started = Instant::now();
        let outcome = user.send(req).await;
        let micros = u32::try_from(started.elapsed().as_micros()).unwrap_or(u32::MAX);
        let entry = stats.entry(kind).or_default();
        match outcome {
            Err(_) => entry.socket += 1,
            Ok(reply) => {
                entry.record(reply.status, micros);
                user.remember_cookie(&reply);
                if kind == Kind::PublicKvikPage || (kind == Kind::PublicBook && reply.status.as_u16() == 409) {
                    user.learn(&reply.body);
                }
                if kind == Kind::PublicBook
                    && let Some(location) = reply.location.filter(|l| l.starts_with("/kvik/booking/"))
                {
                    let req = user.public(Method::GET, &location, None);
                    let started = Instant::now();
                    let outcome = user.send(req).await;
                    let micros = u32::try_from(started.elapsed().as_micros()).unwrap_or(u32::MAX);
                    let entry = stats.entry(Kind::PublicConfirmation).or_default();
                    match outcome {
                        Err(_) => entry.socket += 1,
                        Ok(r) => entry.record(r.status, micros),
                    }
                }
            }
        }
        if args.think_ms > 0 {
            let think = args.think_ms / 2 + u64::from(user.rng.below(args.think_ms as u32 + 1));
            tokio::time::sleep(Duration::from_millis(think)).await;
        }
    }
    stats
}

fn print_table(title: &str, per_kind: &KindStats, elapsed: f64) -> Stats {
    println!("{title}");
    println!(
        "  {:<34} {:>8} {:>8} {:>8} {:>8} {:>8} {:>6} {:>6} {:>6} {:>6} {:>5} {:>5}",
        "request", "count", "p50 ms", "p95 ms", "p99 ms", "max ms", "409", "422", "429", "4xx", "5xx", "sock"
    );
    let mut all = Stats::default();
    for (kind, s) in per_kind {
        let mut sorted = s.micros.clone();
        sorted.sort_unstable();
        println!(
            "  {:<34} {:>8} {:>8.1} {:>8.1} {:>8.1} {:>8.1} {:>6} {:>6} {:>6} {:>6} {:>5} {:>5}",
            kind.label(),
            s.total(),
            pct(&sorted, 50.0),
            pct(&sorted, 95.0),
            pct(&sorted, 99.0),
            pct(&sorted, 100.0),
            s.conflict,
            s.invalid,
            s.limited,
            s.other_4xx,
            s.server_error,
            s.socket
        );
        all.merge(s);
    }
    all.micros.sort_unstable();
    println!(
        "  {:<34} {:>8} {:>8.1} {:>8.1} {:>8.1} {:>8.1} {:>6} {:>6} {:>6} {:>6} {:>5} {:>5}",
        "ALL",
        all.total(),
        pct(&all.micros, 50.0),
        pct(&all.micros, 95.0),
        pct(&all.micros, 99.0),
        pct(&all.micros, 100.0),
        all.conflict,
        all.invalid,
        all.limited,
        all.other_4xx,
        all.server_error,
        all.socket
    );
    println!(
        "  throughput {:.0} requests/s over {:.1} s",
        all.total() as f64 / elapsed,
        elapsed
    );
    all
}

async fn mixed(args: Arc<Args>) {
    let started = Instant::now();
    let end = started + Duration::from_secs(args.seconds);
    let handles: Vec<_> = (0..args.clients)
        .map(|id| tokio::spawn(run_user(args.clone(), id, end)))
        .collect();
    let mut per_kind = KindStats::new();
    for h in handles {
        if let Ok(stats) = h.await {
            for (k, s) in stats {
                per_kind.entry(k).or_default().merge(&s);
            }
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    let think = if args.think_ms == 0 {
        "no think time (saturation)".to_owned()
    } else {
        format!("think time {}-{} ms per user (uniform)", args.think_ms / 2, args.think_ms * 3 / 2)
    };
    let all = print_table(
        &format!("mixed workload: {} users, {} s, {think}", args.clients, args.seconds),
        &per_kind,
        elapsed,
    );
    println!(
        "RESULT rps={:.0} p50={:.1} p95={:.1} p99={:.1} max={:.1} total={} ok={} conflict409={} invalid422={} limited429={} other4xx={} server5xx={} socket={}",
        all.total() as f64 / elapsed,
        pct(&all.micros, 50.0),
        pct(&all.micros, 95.0),
        pct(&all.micros, 99.0),
        pct(&all.micros, 100.0),
        all.total(),
        all.ok,
        all.conflict,
        all.invalid,
        all.limited,
        all.other_4xx,
        all.server_error,
        all.socket
    );
}

/// Hammers the public booking endpoints from one address (page form and JSON
/// API share the limiter) with 10 requests in flight.
async fn ratelimit(args: Arc<Args>) {
    let source = IpAddr::V4(Ipv4Addr::new(127, 0, 0, args.first_source));
    let template = User {
        args: args.clone(),
        source,
        sender: None,
        rng: Rng(42),
        csrf_cookie: None,
        days: Vec::new(),
        slots: Vec::new(),
        seq: 0,
        id: 0,
    };
    // A free time and a CSRF cookie, as a citizen's browser would have them.
    let mut first = template;
    let mut slot = String::new();
    if let Ok(r) = first.send(first.public(Method::GET, "/kvik", None)).await {
        first.remember_cookie(&r);
        first.learn(&r.body);
        if let Some(day) = first.days.first().cloned()
            && let Ok(r) = first.send(first.public(Method::GET, &format!("/kvik?day={day}"), None)).await
        {
            first.learn(&r.body);
            slot = first.slots.first().cloned().unwrap_or_default();
        }
    }
    let csrf = first.csrf_cookie.clone().unwrap_or_default();
    let per_task = args.requests.div_ceil(10);
    let started = Instant::now();
    let tasks: Vec<_> = (0..10)
        .map(|t| {
            let args = args.clone();
            let csrf = csrf.clone();
            let slot = slot.clone();
            tokio::spawn(async move {
                let mut user = User {
                    args,
                    source,
                    sender: None,
                    rng: Rng(7 + t as u64),
                    csrf_cookie: Some(csrf.clone()),
                    days: Vec::new(),
                    slots: vec![slot.clone()],
                    seq: 0,
                    id: t,
                };
                let mut stats = KindStats::new();
                for i in 0..per_task {
                    // Alternate the page form and the JSON API.
                    let (kind, req) = if i % 2 == 0 {
                        (Kind::PublicBook, user.build(Kind::PublicBook))
                    } else {
                        let body = format!(
                            r#"{{"slot_start":"{slot}","name":"Borger Bench","phone":"+4512345678","need":"Rollator","aids":["rollator"]}}"#
                        );
                        (
                            Kind::PublicSlotsApi,
                            user.request(Method::POST, "/api/v1/kvik/bookings")
                                .header(hyper::header::CONTENT_TYPE, "application/json")
                                .body(Full::new(Bytes::from(body)))
                                .ok(),
                        )
                    };
                    let Some(req) = req else { continue };
                    let t0 = Instant::now();
                    let outcome = user.send(req).await;
                    let micros = u32::try_from(t0.elapsed().as_micros()).unwrap_or(u32::MAX);
                    let entry = stats.entry(kind).or_default();
                    match outcome {
                        Ok(r) => entry.record(r.status, micros),
                        Err(_) => entry.socket += 1,
                    }
                }
                stats
            })
        })
        .collect();
    let mut per_kind = KindStats::new();
    for t in tasks {
        if let Ok(stats) = t.await {
            for (k, s) in stats {
                per_kind.entry(k).or_default().merge(&s);
            }
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    println!(
        "rate-limit check: {} public booking POSTs from one address {source} (form and JSON API alternately; {})",
        args.requests,
        if slot.is_empty() { "no free time found!" } else { "a real free time" }
    );
    for (kind, s) in &per_kind {
        let label = if *kind == Kind::PublicBook {
            "POST /kvik/book"
        } else {
            "POST /api/v1/kvik/bookings"
        };
        println!(
            "  {label:<28} {} requests: {} 2xx/3xx, {} 409, {} 422, {} 429, {} other 4xx, {} 5xx, {} socket errors",
            s.total() + s.socket,
            s.ok,
            s.conflict,
            s.invalid,
            s.limited,
            s.other_4xx,
            s.server_error,
            s.socket
        );
    }
    let mut all = Stats::default();
    for s in per_kind.values() {
        all.merge(s);
    }
    println!(
        "RESULT total={} accepted={} limited429={} server5xx={} socket={} other={} seconds={:.1}",
        all.total(),
        all.ok + all.conflict + all.invalid,
        all.limited,
        all.server_error,
        all.socket,
        all.other_4xx,
        elapsed
    );
}

#[tokio::main]
async fn main() {
    let args = match parse_args() {
        Ok(a) => Arc::new(a),
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(2);
        }
    };
    match args.mode.as_str() {
        "mixed" => mixed(args).await,
        "ratelimit" => ratelimit(args).await,
        other => {
            eprintln!("unknown mode {other}");
            std::process::exit(2);
        }
    }
}
