//! Kvik Service: the depot's drop-in counter. Citizens book a slot on a public
//! page (no login) or just turn up; visitators work one queue of both, and hand
//! out a standard aid on the spot (a §140 loan), give advice or refer to a home
//! visit.
//!
//! This file holds the rules as plain functions: slots from the opening hours
//! (Europe/Copenhagen local time, stored in UTC), whether a time can be booked,
//! the booking form's checks, status changes, the calendar file and the per-IP
//! limit of the public endpoints. `store.rs` keeps bookings with exact capacity.

pub mod api;
pub mod demo;
pub mod ics;
pub mod mail;
pub mod pages;
pub mod store;

use std::collections::{BTreeSet, HashMap, VecDeque};
use std::sync::Mutex;

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Europe::Copenhagen;
use serde::{Deserialize, Serialize};

pub use demo::seed_demo_kvik;

use crate::auth::{Access, Role};
use crate::domain::Phone;
use crate::error::FieldErrors;
use crate::routes::RouteDef;

/// Visitators run the counter; depot staff help and set it up.
pub const STAFF: Access = Access::Roles(&[Role::Visitator, Role::Depot]);
/// Opening hours and closed dates.
pub const SETUP: Access = Access::Roles(&[Role::Depot]);

/// How far ahead citizens may book when nothing else is set.
pub const DEFAULT_HORIZON_DAYS: i32 = 28;
/// Public writes (bookings, cancellations) allowed per IP in `LIMIT_WINDOW_MINUTES`.
pub const LIMIT_PER_IP: usize = 20;
pub const LIMIT_WINDOW_MINUTES: i64 = 10;
/// The public endpoints take small bodies only.
pub const PUBLIC_BODY_LIMIT: usize = 16 * 1024;

pub const LOCATION: &str = "Hjælpemiddelhuset, Kvik Service";
pub const SUMMARY: &str = "Kvik Service, Hjælpemiddelhuset";

pub fn routes() -> Vec<RouteDef> {
    let limiter = std::sync::Arc::new(RateLimiter::new(
        LIMIT_PER_IP,
        Duration::minutes(LIMIT_WINDOW_MINUTES),
    ));
    let mut all = api::routes(&limiter);
    all.extend(pages::routes(&limiter));
    all
}

/// Reminders go out once a day, from this hour (Copenhagen time), for the next day.
pub const REMINDER_HOUR: u32 = 8;

/// Whether the daily reminder job may run at `now`.
pub fn reminder_due(now: DateTime<Utc>) -> bool {
    use chrono::Timelike;
    now.with_timezone(&Copenhagen).hour() >= REMINDER_HOUR
}

/// The reminder job for the scheduler, once per local date after 08:00.
pub fn due_reminder_job(now: DateTime<Utc>) -> Option<crate::notify::schedule::DueJob> {
    reminder_due(now).then(|| crate::notify::schedule::DueJob {
        name: "kvik-reminders".to_owned(),
        period: crate::clock::local_date(now).format("%Y-%m-%d").to_string(),
        kind: crate::notify::schedule::JobKind::KvikReminders,
    })
}

/// Queues tomorrow's reminders.
pub async fn reminder_job(
    state: &crate::state::AppState,
) -> Result<String, crate::error::AppError> {
    let today = crate::clock::local_date(state.clock.now());
    let tomorrow = today.succ_opt().unwrap_or(today);
    let queued = store::queue_reminders(state, tomorrow).await?;
    Ok(format!("{queued} Kvik reminders queued for {tomorrow}"))
}

/// Common aids citizens can tick on the booking form: value and label.
pub const COMMON_AIDS: [(&str, &str); 6] = [
    ("rollator", "Rollator"),
    ("badebaenk", "Badebænk"),
    ("toiletforhoejer", "Toiletforhøjer"),
    ("gribetang", "Gribetang"),
    ("stroempepaatager", "Strømpepåtager"),
    ("andet", "Andet"),
];

pub fn aid_label(value: &str) -> &str {
    COMMON_AIDS
        .iter()
        .find(|(v, _)| *v == value)
        .map_or(value, |(_, l)| l)
}

// ---------------------------------------------------------------- opening hours

/// One weekly opening, as the rules need it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Opening {
    /// 1 = Monday ... 7 = Sunday.
    pub weekday: u32,
    pub opens: NaiveTime,
    pub closes: NaiveTime,
    pub slot_minutes: u32,
    /// Visitators working in parallel = bookings per slot.
    pub capacity: i32,
}

/// A bookable time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Slot {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub capacity: i32,
}

/// "HH:MM" → a time of day.
pub fn parse_hhmm(raw: &str) -> Option<NaiveTime> {
    NaiveTime::parse_from_str(raw.trim(), "%H:%M").ok()
}

/// The Danish name of a weekday, 1 = Monday.
pub fn weekday_name(weekday: u32) -> &'static str {
    match weekday {
        1 => "mandag",
        2 => "tirsdag",
        3 => "onsdag",
        4 => "torsdag",
        5 => "fredag",
        6 => "lørdag",
        7 => "søndag",
        _ => "?",
    }
}

/// An opening as typed by depot staff.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct OpeningInput {
    #[serde(default)]
    pub weekday: String,
    #[serde(default)]
    pub opens: String,
    #[serde(default)]
    pub closes: String,
    #[serde(default)]
    pub slot_minutes: String,
    #[serde(default)]
    pub capacity: String,
    #[serde(default)]
    pub active: Option<String>,
}

/// Checks an opening; `others` are the other active openings, which it may not overlap.
pub fn check_opening(input: &OpeningInput, others: &[Opening]) -> Result<Opening, FieldErrors> {
    let mut errors = FieldErrors::new();
    let mut add = |f: &str, m: &str| errors.entry(f.to_owned()).or_default().push(m.to_owned());
    let weekday = input
        .weekday
        .trim()
        .parse::<u32>()
        .ok()
        .filter(|d| (1..=7).contains(d));
    if weekday.is_none() {
        add("weekday", "Vælg en ugedag");
    }
    let opens = parse_hhmm(&input.opens);
    if opens.is_none() {
        add("opens", "Skriv et klokkeslæt som 12:00");
    }
    let closes = parse_hhmm(&input.closes);
    if closes.is_none() {
        add("closes", "Skriv et klokkeslæt som 15:00");
    }
    let slot_minutes = input
        .slot_minutes
        .trim()
        .parse::<u32>()
        .ok()
        .filter(|m| (5..=240).contains(m));
    if slot_minutes.is_none() {
        add("slot_minutes", "Skriv et antal minutter mellem 5 og 240");
    }
    let capacity = input
        .capacity
        .trim()
        .parse::<i32>()
        .ok()
        .filter(|c| (1..=20).contains(c));
    if capacity.is_none() {
        add("capacity", "Skriv et antal mellem 1 og 20");
    }
    let (Some(weekday), Some(opens), Some(closes), Some(slot_minutes), Some(capacity)) =
        (weekday, opens, closes, slot_minutes, capacity)
    else {
        return Err(errors);
    };
    if closes <= opens {
        add("closes", "Lukketiden skal være efter åbningstiden");
    } else if (closes - opens).num_minutes() < i64::from(slot_minutes) {
        add(
            "slot_minutes",
            "Der skal være plads til mindst én tid mellem åbning og lukning",
        );
    }
    if others
        .iter()
        .any(|o| o.weekday == weekday && o.opens < closes && opens < o.closes)
    {
        add("opens", "Tiden overlapper en anden åbningstid samme ugedag");
    }
    if errors.is_empty() {
        Ok(Opening {
            weekday,
            opens,
            closes,
            slot_minutes,
            capacity,
        })
    } else {
        Err(errors)
    }
}

/// A local time on a date in Copenhagen as UTC. A time that does not exist (the
/// hour skipped when summer time begins) has none; a time that exists twice
/// (when it ends) is the first of the two.
pub fn local_to_utc(date: NaiveDate, time: NaiveTime) -> Option<DateTime<Utc>> {
    Copenhagen
        .from_local_datetime(&date.and_time(time))
        .earliest()
        .map(|t| t.with_timezone(&Utc))
}

/// The slots of the dates `from..=to`: for each opening of a date's weekday,
/// consecutive slots of `slot_minutes` local time from opening until the last one
/// that ends by closing. Closed dates have none. A start in the hour skipped when
/// summer time begins is left out. Sorted by start, one per start.
pub fn slots_between(
    openings: &[Opening],
    closed: &BTreeSet<NaiveDate>,
    from: NaiveDate,
    to: NaiveDate,
) -> Vec<Slot> {
    let mut slots: Vec<Slot> = Vec::new();
    let mut date = from;
    while date <= to {
        if !closed.contains(&date) {
            let weekday = date.weekday().number_from_monday();
            for opening in openings.iter().filter(|o| o.weekday == weekday) {
                let step = Duration::minutes(i64::from(opening.slot_minutes.max(1)));
                let mut start = opening.opens;
                loop {
                    let (end, wrapped) = start.overflowing_add_signed(step);
                    if wrapped != 0 || end > opening.closes || end <= start {
                        break;
                    }
                    // A slot lasts its length in real time, also across a clock change.
                    if let Some(s) = local_to_utc(date, start) {
                        slots.push(Slot {
                            start: s,
                            end: s + step,
                            capacity: opening.capacity,
                        });
                    }
                    start = end;
                }
            }
        }
        match date.succ_opt() {
            Some(next) => date = next,
            None => break,
        }
    }
    slots.sort_by_key(|s| s.start);
    slots.dedup_by_key(|s| s.start);
    slots
}

/// The last date citizens may book on.
pub fn last_bookable_date(today: NaiveDate, horizon_days: i32) -> NaiveDate {
    today + Duration::days(i64::from(horizon_days.max(0)))
}

/// The slots citizens can book now: from now until the horizon.
pub fn bookable_slots(
    openings: &[Opening],
    closed: &BTreeSet<NaiveDate>,
    horizon_days: i32,
    today: NaiveDate,
    now: DateTime<Utc>,
    from: NaiveDate,
    to: NaiveDate,
) -> Vec<Slot> {
    let from = from.max(today);
    let to = to.min(last_bookable_date(today, horizon_days));
    if to < from {
        return Vec::new();
    }
    slots_between(openings, closed, from, to)
        .into_iter()
        .filter(|s| s.start > now)
        .collect()
}

/// Why a time cannot be booked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refusal {
    Past,
    BeyondHorizon(NaiveDate),
    Closed(NaiveDate),
    OutsideHours,
}

impl Refusal {
    /// A plain Danish sentence for the citizen.
    pub fn message(&self) -> String {
        match self {
            Self::Past => "Tiden er overstået. Vælg en senere tid.".to_owned(),
            Self::BeyondHorizon(last) => format!(
                "Der kan kun bookes tider til og med {}. Vælg en tidligere dag.",
                crate::web::local_date(*last)
            ),
            Self::Closed(date) => format!(
                "Kvik Service har lukket {}. Vælg en anden dag.",
                crate::web::local_date(*date)
            ),
            Self::OutsideHours => {
                "Kvik Service har ikke åbent på det tidspunkt. Vælg en af de ledige tider."
                    .to_owned()
            }
        }
    }
}

/// Checks that `start` is the start of a slot citizens may book now.
pub fn check_bookable(
    start: DateTime<Utc>,
    openings: &[Opening],
    closed: &BTreeSet<NaiveDate>,
    horizon_days: i32,
    now: DateTime<Utc>,
) -> Result<Slot, Refusal> {
    let today = crate::clock::local_date(now);
    let date = crate::clock::local_date(start);
    if start <= now {
        return Err(Refusal::Past);
    }
    let last = last_bookable_date(today, horizon_days);
    if date > last {
        return Err(Refusal::BeyondHorizon(last));
    }
    if closed.contains(&date) {
        return Err(Refusal::Closed(date));
    }
    slots_between(openings, &BTreeSet::new(), date, date)
        .into_iter()
        .find(|s| s.start == start)
        .ok_or(Refusal::OutsideHours)
}

/// The free slots nearest to `wanted` (before or after), at most `count`, by time.
pub fn nearest_free(free: &[Slot], wanted: DateTime<Utc>, count: usize) -> Vec<Slot> {
    let mut by_distance: Vec<&Slot> = free.iter().collect();
    by_distance.sort_by_key(|s| ((s.start - wanted).num_seconds().abs(), s.start));
    let mut nearest: Vec<Slot> = by_distance.into_iter().take(count).cloned().collect();
    nearest.sort_by_key(|s| s.start);
    nearest
}

// ---------------------------------------------------------------- bookings

/// A booking as the citizen typed it (form or JSON).
#[derive(Clone, Debug, Default)]
pub struct BookingInput {
    pub slot_start: String,
    pub name: String,
    pub phone: String,
    pub email: String,
    pub need: String,
    pub aids: Vec<String>,
    /// The honeypot: people never see it, bots fill it in.
    pub website: String,
}

/// A checked booking.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewBooking {
    pub slot_start: DateTime<Utc>,
    pub name: String,
    pub phone: String,
    pub email: Option<String>,
    pub need: String,
    pub aids: Vec<String>,
}

/// The message a filled honeypot gets (deliberately vague).
pub const HONEYPOT_MESSAGE: &str = "Formularen kunne ikke sendes. Prøv igen.";

/// A light check of an e-mail address: one @, something on both sides, a dot in
/// the domain, no spaces. The mail server has the last word.
pub fn plausible_email(raw: &str) -> bool {
    let Some((local, domain)) = raw.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains('@')
        && raw.len() <= 254
        && !raw.chars().any(|c| {
            c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | ',' | ';' | '"')
        })
}

/// Collapses runs of white space in a one-line field.
fn one_line(raw: &str) -> String {
    raw.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Checks a booking's fields (not yet whether the time is open). All problems at once.
pub fn check_booking(input: &BookingInput) -> Result<NewBooking, FieldErrors> {
    let mut errors = FieldErrors::new();
    let mut add = |f: &str, m: &str| errors.entry(f.to_owned()).or_default().push(m.to_owned());
    if !input.website.trim().is_empty() {
        add("website", HONEYPOT_MESSAGE);
        return Err(errors);
    }
    let slot_start = DateTime::parse_from_rfc3339(input.slot_start.trim())
        .ok()
        .map(|t| t.with_timezone(&Utc));
    if slot_start.is_none() {
        add("slot_start", "Vælg en ledig tid");
    }
    let name = one_line(&input.name);
    if name.is_empty() {
        add("name", "Skriv dit navn");
    } else if name.chars().count() > 100 {
        add("name", "Navnet er for langt");
    }
    let phone = match Phone::parse(&input.phone) {
        Ok(p) => Some(p.into_string()),
        Err(message) => {
            add(
                "phone",
                if input.phone.trim().is_empty() {
                    "Skriv dit telefonnummer, så vi kan ringe, hvis noget ændrer sig"
                } else {
                    message
                },
            );
            None
        }
    };
    let email = input.email.trim();
    let email = if email.is_empty() {
        None
    } else if plausible_email(email) {
        Some(email.to_owned())
    } else {
        add(
            "email",
            "Skriv en e-mailadresse som navn@eksempel.dk, eller lad feltet stå tomt",
        );
        None
    };
    let need = input.need.trim().to_owned();
    if need.chars().count() > 1000 {
        add("need", "Skriv højst 1000 tegn");
    }
    let mut aids: Vec<String> = Vec::new();
    for aid in &input.aids {
        let aid = aid.trim();
        if aid.is_empty() {
            continue;
        }
        if !COMMON_AIDS.iter().any(|(v, _)| *v == aid) {
            add("aids", "Vælg blandt hjælpemidlerne på listen");
            break;
        }
        if !aids.iter().any(|a| a == aid) {
            aids.push(aid.to_owned());
        }
    }
    if need.is_empty() && aids.is_empty() {
        add(
            "need",
            "Skriv kort, hvad besøget handler om, eller sæt kryds ved et hjælpemiddel",
        );
    }
    match (slot_start, phone, errors.is_empty()) {
        (Some(slot_start), Some(phone), true) => Ok(NewBooking {
            slot_start,
            name,
            phone,
            email,
            need,
            aids,
        }),
        _ => Err(errors),
    }
}

/// A walk-in as registered at the counter: a name is enough.
#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct WalkInInput {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub need: String,
}

/// Checks a walk-in: name required, phone optional but valid when given.
pub fn check_walk_in(input: &WalkInInput) -> Result<(String, String, String), FieldErrors> {
    let mut errors = FieldErrors::new();
    let mut add = |f: &str, m: &str| errors.entry(f.to_owned()).or_default().push(m.to_owned());
    let name = one_line(&input.name);
    if name.is_empty() {
        add("name", "Skriv borgerens navn");
    } else if name.chars().count() > 100 {
        add("name", "Navnet er for langt");
    }
    let phone = if input.phone.trim().is_empty() {
        String::new()
    } else {
        match Phone::parse(&input.phone) {
            Ok(p) => p.into_string(),
            Err(m) => {
                add("phone", m);
                String::new()
            }
        }
    };
    let need = input.need.trim().to_owned();
    if need.chars().count() > 1000 {
        add("need", "Skriv højst 1000 tegn");
    }
    if errors.is_empty() {
        Ok((name, phone, need))
    } else {
        Err(errors)
    }
}

// ---------------------------------------------------------------- visits

/// Where a visit is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Booked,
    Cancelled,
    Arrived,
    InProgress,
    Done,
    NoShow,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Booked => "booked",
            Self::Cancelled => "cancelled",
            Self::Arrived => "arrived",
            Self::InProgress => "in_progress",
            Self::Done => "done",
            Self::NoShow => "no_show",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        [
            Self::Booked,
            Self::Cancelled,
            Self::Arrived,
            Self::InProgress,
            Self::Done,
            Self::NoShow,
        ]
        .into_iter()
        .find(|s| s.as_str() == raw.trim())
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Booked => "Booket",
            Self::Cancelled => "Aflyst",
            Self::Arrived => "Ankommet",
            Self::InProgress => "I gang",
            Self::Done => "Færdig",
            Self::NoShow => "Udeblevet",
        }
    }
}

/// Whether staff may move a visit from one status to another. Cancelled and
/// done visits stay as they are; a no-show who turns up late can still arrive.
pub fn can_move(from: Status, to: Status) -> bool {
    use Status::*;
    matches!(
        (from, to),
        (Booked, Arrived | InProgress | Done | NoShow)
            | (Arrived, InProgress | Done | NoShow)
            | (InProgress, Done | Arrived)
            | (NoShow, Arrived)
    )
}

/// Whether staff may cancel a visit: only while it is booked or waiting.
pub fn can_cancel(status: Status) -> bool {
    matches!(status, Status::Booked | Status::Arrived)
}

/// How a visit ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// An aid fitted and handed out: a loan starts.
    HandedOut,
    /// Advice only (e.g. not entitled, or buy it yourself).
    Advice,
    /// Referred to a home visit by a therapist.
    Referred,
    NoShow,
}

impl Outcome {
    pub const ALL: [Outcome; 4] = [
        Outcome::HandedOut,
        Outcome::Advice,
        Outcome::Referred,
        Outcome::NoShow,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::HandedOut => "handed_out",
            Self::Advice => "advice",
            Self::Referred => "referred",
            Self::NoShow => "no_show",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|o| o.as_str() == raw.trim())
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::HandedOut => "Hjælpemiddel udleveret",
            Self::Advice => "Kun rådgivning",
            Self::Referred => "Henvist til hjemmebesøg",
            Self::NoShow => "Udeblevet",
        }
    }

    /// The status a visit gets with this outcome.
    pub fn status(self) -> Status {
        match self {
            Self::NoShow => Status::NoShow,
            _ => Status::Done,
        }
    }
}

/// Whether an outcome may be recorded for a visit in `status`.
pub fn can_record_outcome(status: Status, outcome: Outcome) -> bool {
    match outcome {
        Outcome::NoShow => matches!(status, Status::Booked | Status::NoShow),
        _ => matches!(
            status,
            Status::Booked | Status::Arrived | Status::InProgress | Status::Done
        ),
    }
}

// ---------------------------------------------------------------- statistics

/// One visit as the statistics see it.
#[derive(Clone, Debug)]
pub struct VisitFact {
    /// The slot for a booking, the arrival for a walk-in.
    pub at: DateTime<Utc>,
    pub walk_in: bool,
    pub status: Status,
    pub outcome: Option<Outcome>,
    /// The product handed out, if any.
    pub product: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WeekCount {
    /// "2026-W48"
    pub week: String,
    pub booked: u32,
    pub walk_in: u32,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Stats {
    pub weeks: Vec<WeekCount>,
    /// No-shows among past bookings (not cancelled), 0..1; None without any.
    pub no_show_rate: Option<f64>,
    pub past_bookings: u32,
    pub no_shows: u32,
    pub outcomes: Vec<(Outcome, u32)>,
    /// Most handed-out aids first.
    pub top_aids: Vec<(String, u32)>,
}

/// The ISO week of an instant in Copenhagen, "2026-W48".
pub fn iso_week(at: DateTime<Utc>) -> String {
    let week = crate::clock::local_date(at).iso_week();
    format!("{}-W{:02}", week.year(), week.week())
}

/// Counts visits per week (booked vs walk-in), the no-show rate of bookings whose
/// time has passed, outcomes and the most handed-out aids. Cancelled bookings
/// are not visits.
pub fn statistics(facts: &[VisitFact], now: DateTime<Utc>, top: usize) -> Stats {
    let mut weeks: std::collections::BTreeMap<String, WeekCount> = Default::default();
    let mut outcomes: HashMap<Outcome, u32> = HashMap::new();
    let mut aids: HashMap<String, u32> = HashMap::new();
    let (mut past, mut no_shows) = (0u32, 0u32);
    for fact in facts.iter().filter(|f| f.status != Status::Cancelled) {
        let week = iso_week(fact.at);
        let entry = weeks.entry(week.clone()).or_insert_with(|| WeekCount {
            week,
            ..WeekCount::default()
        });
        if fact.walk_in {
            entry.walk_in += 1;
        } else {
            entry.booked += 1;
            if fact.at <= now {
                past += 1;
                if fact.status == Status::NoShow {
                    no_shows += 1;
                }
            }
        }
        if let Some(outcome) = fact.outcome {
            *outcomes.entry(outcome).or_default() += 1;
            if outcome == Outcome::HandedOut
                && let Some(product) = &fact.product
            {
                *aids.entry(product.clone()).or_default() += 1;
            }
        }
    }
    let mut top_aids: Vec<(String, u32)> = aids.into_iter().collect();
    top_aids.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    top_aids.truncate(top);
    Stats {
        weeks: weeks.into_values().collect(),
        no_show_rate: (past > 0).then(|| f64::from(no_shows) / f64::from(past)),
        past_bookings: past,
        no_shows,
        outcomes: Outcome::ALL
            .into_iter()
            .map(|o| (o, outcomes.get(&o).copied().unwrap_or(0)))
            .collect(),
        top_aids,
    }
}

// ---------------------------------------------------------------- public limits

/// A sliding-window limit per IP for the public endpoints, in memory per
/// instance (like the login throttle): with several instances the limit is per
/// instance, which still stops one machine from filling the calendar.
#[derive(Debug)]
pub struct RateLimiter {
    limit: usize,
    window: Duration,
    hits: Mutex<HashMap<String, VecDeque<DateTime<Utc>>>>,
}

/// Bound on remembered addresses.
const MAX_IPS: usize = 100_000;

impl RateLimiter {
    pub fn new(limit: usize, window: Duration) -> Self {
        Self {
            limit,
            window,
            hits: Mutex::new(HashMap::new()),
        }
    }

    /// Counts a request from `ip` at `now`; false when it is over the limit.
    pub fn allow(&self, ip: &str, now: DateTime<Utc>) -> bool {
        let mut map = self.hits.lock().unwrap_or_else(|e| e.into_inner());
        let since = now - self.window;
        if map.len() >= MAX_IPS {
            map.retain(|_, times| times.back().is_some_and(|t| *t > since));
        }
        let times = map.entry(ip.to_owned()).or_default();
        while times.front().is_some_and(|t| *t <= since) {
            times.pop_front();
        }
        if times.len() >= self.limit {
            return false;
        }
        times.push_back(now);
        true
    }
}

/// The message of a refused public request.
pub const TOO_MANY: &str =
    "Der er sendt for mange forespørgsler fra din forbindelse. Vent 10 minutter, og prøv igen.";

/// A new cancel token and the hash to store.
pub fn new_cancel_token() -> (String, String) {
    let token = crate::auth::random_secret();
    let hash = crate::auth::secret_hash(&token);
    (token, hash)
}

/// Whether `token` matches the stored hash, compared in constant time.
pub fn token_matches(token: &str, stored_hash: Option<&str>) -> bool {
    use subtle::ConstantTimeEq;
    let given = crate::auth::secret_hash(token.trim());
    match stored_hash {
        Some(stored) if !token.trim().is_empty() => {
            bool::from(given.as_bytes().ct_eq(stored.as_bytes()))
        }
        _ => {
            // Same work for an unknown booking.
            let _ = given.as_bytes().ct_eq(given.as_bytes());
            false
        }
    }
}

/// "tirsdag 24.11.2026 kl. 12:00" in Copenhagen time.
pub fn describe_time(start: DateTime<Utc>) -> String {
    let local = start.with_timezone(&Copenhagen);
    format!(
        "{} {} kl. {}",
        weekday_name(local.weekday().number_from_monday()),
        local.format("%d.%m.%Y"),
        local.format("%H:%M")
    )
}

/// "12:00" in Copenhagen time.
pub fn local_hhmm(at: DateTime<Utc>) -> String {
    at.with_timezone(&Copenhagen).format("%H:%M").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn t(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).unwrap()
    }

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().to_utc()
    }

    fn tuesdays() -> Vec<Opening> {
        vec![Opening {
            weekday: 2,
            opens: t(12, 0),
            closes: t(15, 0),
            slot_minutes: 20,
            capacity: 2,
        }]
    }

    #[test]
    fn a_tuesday_from_twelve_to_three_has_nine_twenty_minute_slots_in_utc() {
        let slots = slots_between(
            &tuesdays(),
            &BTreeSet::new(),
            d(2026, 11, 23),
            d(2026, 11, 29),
        );
        assert_eq!(slots.len(), 9);
        assert_eq!(slots[0].start, utc("2026-11-24T11:00:00Z"));
        assert_eq!(slots[0].end, utc("2026-11-24T11:20:00Z"));
        assert_eq!(slots[8].start, utc("2026-11-24T13:40:00Z"));
        assert_eq!(slots[8].end, utc("2026-11-24T14:00:00Z"));
        assert!(slots.iter().all(|s| s.capacity == 2));
    }

    #[test]
    fn a_slot_that_would_end_after_closing_is_not_offered() {
        let openings = vec![Opening {
            weekday: 4,
            opens: t(9, 0),
            closes: t(11, 0),
            slot_minutes: 45,
            capacity: 1,
        }];
        let slots = slots_between(
            &openings,
            &BTreeSet::new(),
            d(2026, 11, 26),
            d(2026, 11, 26),
        );
        assert_eq!(slots.len(), 2);
        assert_eq!(slots[1].end, utc("2026-11-26T09:30:00Z"));
    }

    #[test]
    fn summer_time_shifts_the_utc_times_across_the_march_and_october_changes() {
        let sundays = vec![Opening {
            weekday: 7,
            opens: t(1, 0),
            closes: t(4, 0),
            slot_minutes: 60,
            capacity: 1,
        }];
        // 29 March 2026: 02:00 local does not exist; 01:00 is +01:00, 03:00 is +02:00.
        let march = slots_between(&sundays, &BTreeSet::new(), d(2026, 3, 29), d(2026, 3, 29));
        let starts: Vec<_> = march.iter().map(|s| s.start).collect();
        assert_eq!(
            starts,
            vec![utc("2026-03-29T00:00:00Z"), utc("2026-03-29T01:00:00Z")],
            "01:00 and 03:00 local; 02:00 does not exist"
        );
        // 25 October 2026: 02:00 local exists twice; the first (+02:00) is used.
        let october = slots_between(&sundays, &BTreeSet::new(), d(2026, 10, 25), d(2026, 10, 25));
        let starts: Vec<_> = october.iter().map(|s| s.start).collect();
        assert_eq!(
            starts,
            vec![
                utc("2026-10-24T23:00:00Z"),
                utc("2026-10-25T00:00:00Z"),
                utc("2026-10-25T02:00:00Z")
            ]
        );
        // A normal Tuesday either side: 12:00 local is 10:00Z in summer, 11:00Z in winter.
        let before = slots_between(
            &tuesdays(),
            &BTreeSet::new(),
            d(2026, 3, 24),
            d(2026, 3, 24),
        );
        let after = slots_between(
            &tuesdays(),
            &BTreeSet::new(),
            d(2026, 3, 31),
            d(2026, 3, 31),
        );
        assert_eq!(before[0].start, utc("2026-03-24T11:00:00Z"));
        assert_eq!(after[0].start, utc("2026-03-31T10:00:00Z"));
        let last_summer = slots_between(
            &tuesdays(),
            &BTreeSet::new(),
            d(2026, 10, 20),
            d(2026, 10, 20),
        );
        let first_winter = slots_between(
            &tuesdays(),
            &BTreeSet::new(),
            d(2026, 10, 27),
            d(2026, 10, 27),
        );
        assert_eq!(last_summer[0].start, utc("2026-10-20T10:00:00Z"));
        assert_eq!(first_winter[0].start, utc("2026-10-27T11:00:00Z"));
    }

    #[test]
    fn closed_dates_have_no_slots() {
        let closed: BTreeSet<_> = [d(2026, 12, 22)].into_iter().collect();
        let slots = slots_between(&tuesdays(), &closed, d(2026, 12, 15), d(2026, 12, 29));
        let dates: BTreeSet<_> = slots
            .iter()
            .map(|s| crate::clock::local_date(s.start))
            .collect();
        assert_eq!(
            dates,
            [d(2026, 12, 15), d(2026, 12, 29)].into_iter().collect()
        );
    }

    #[test]
    fn bookable_slots_start_after_now_and_end_at_the_horizon() {
        let now = utc("2026-11-24T11:30:00Z"); // Tuesday 12:30 local
        let today = crate::clock::local_date(now);
        let slots = bookable_slots(
            &tuesdays(),
            &BTreeSet::new(),
            7,
            today,
            now,
            today,
            d(2027, 1, 1),
        );
        assert_eq!(slots[0].start, utc("2026-11-24T11:40:00Z"));
        let last = slots.last().unwrap();
        assert_eq!(crate::clock::local_date(last.start), d(2026, 12, 1));
    }

    #[test]
    fn a_time_is_refused_with_the_reason() {
        let now = utc("2026-11-23T08:00:00Z");
        let closed: BTreeSet<_> = [d(2026, 12, 1)].into_iter().collect();
        let check = |s: &str| check_bookable(utc(s), &tuesdays(), &closed, 28, now);
        assert_eq!(check("2026-11-24T11:20:00Z").unwrap().capacity, 2);
        assert_eq!(check("2026-11-24T11:10:00Z"), Err(Refusal::OutsideHours));
        assert_eq!(check("2026-11-25T11:00:00Z"), Err(Refusal::OutsideHours));
        assert_eq!(
            check("2026-12-01T11:00:00Z"),
            Err(Refusal::Closed(d(2026, 12, 1)))
        );
        assert_eq!(check("2026-11-23T07:00:00Z"), Err(Refusal::Past));
        assert_eq!(
            check("2026-12-29T11:00:00Z"),
            Err(Refusal::BeyondHorizon(d(2026, 12, 21)))
        );
        assert!(
            Refusal::Closed(d(2026, 12, 1))
                .message()
                .contains("01.12.2026")
        );
    }

    #[test]
    fn nearest_free_times_surround_the_wanted_one() {
        let slots = slots_between(
            &tuesdays(),
            &BTreeSet::new(),
            d(2026, 11, 24),
            d(2026, 11, 24),
        );
        let wanted = slots[4].start;
        let free: Vec<Slot> = slots
            .iter()
            .filter(|s| s.start != wanted)
            .cloned()
            .collect();
        let near = nearest_free(&free, wanted, 2);
        assert_eq!(
            near.iter().map(|s| s.start).collect::<Vec<_>>(),
            vec![slots[3].start, slots[5].start]
        );
    }

    #[test]
    fn openings_are_checked_and_may_not_overlap() {
        let input = |w: &str, o: &str, c: &str, m: &str, cap: &str| OpeningInput {
            weekday: w.into(),
            opens: o.into(),
            closes: c.into(),
            slot_minutes: m.into(),
            capacity: cap.into(),
            active: Some("on".into()),
        };
        let ok = check_opening(&input("2", "12:00", "15:00", "20", "2"), &[]).unwrap();
        assert_eq!(ok, tuesdays()[0]);
        let errors = check_opening(&input("9", "x", "15:00", "2", "0"), &[]).unwrap_err();
        assert!(errors.contains_key("weekday") && errors.contains_key("opens"));
        assert!(errors.contains_key("slot_minutes") && errors.contains_key("capacity"));
        let errors = check_opening(&input("2", "15:00", "12:00", "20", "2"), &[]).unwrap_err();
        assert!(errors.contains_key("closes"));
        let errors =
            check_opening(&input("2", "14:00", "16:00", "20", "2"), &tuesdays()).unwrap_err();
        assert!(errors.contains_key("opens"));
        assert!(check_opening(&input("2", "15:00", "16:00", "20", "2"), &tuesdays()).is_ok());
    }

    fn booking() -> BookingInput {
        BookingInput {
            slot_start: "2026-11-24T12:00:00+01:00".into(),
            name: "  Karen   Jensen ".into(),
            phone: "86 12 34 56".into(),
            email: "karen@example.dk".into(),
            need: "Rollator".into(),
            aids: vec!["rollator".into(), "rollator".into()],
            website: String::new(),
        }
    }

    #[test]
    fn a_good_booking_is_tidied() {
        let b = check_booking(&booking()).unwrap();
        assert_eq!(b.slot_start, utc("2026-11-24T11:00:00Z"));
        assert_eq!(b.name, "Karen Jensen");
        assert_eq!(b.phone, "+4586123456");
        assert_eq!(b.email.as_deref(), Some("karen@example.dk"));
        assert_eq!(b.aids, vec!["rollator"]);
    }

    #[test]
    fn a_booking_names_every_problem() {
        let errors = check_booking(&BookingInput {
            slot_start: "i morgen".into(),
            name: " ".into(),
            phone: "12".into(),
            email: "karen@".into(),
            need: String::new(),
            aids: vec!["raket".into()],
            website: String::new(),
        })
        .unwrap_err();
        for field in ["slot_start", "name", "phone", "email", "aids", "need"] {
            assert!(errors.contains_key(field), "{field}");
        }
    }

    #[test]
    fn a_filled_honeypot_is_refused() {
        let mut b = booking();
        b.website = "http://spam.example".into();
        let errors = check_booking(&b).unwrap_err();
        assert_eq!(errors.keys().collect::<Vec<_>>(), vec!["website"]);
    }

    #[test]
    fn email_is_optional_but_must_look_like_one() {
        let mut b = booking();
        b.email = " ".into();
        assert_eq!(check_booking(&b).unwrap().email, None);
        assert!(plausible_email("a.b@c.dk"));
        for bad in ["a@b", "@b.dk", "a b@c.dk", "a@b.dk>", "a@.dk"] {
            assert!(!plausible_email(bad), "{bad}");
        }
    }

    #[test]
    fn walk_ins_need_only_a_name() {
        let (name, phone, need) = check_walk_in(&WalkInInput {
            name: "Ole".into(),
            ..Default::default()
        })
        .unwrap();
        assert_eq!(
            (name.as_str(), phone.as_str(), need.as_str()),
            ("Ole", "", "")
        );
        assert!(
            check_walk_in(&WalkInInput::default())
                .unwrap_err()
                .contains_key("name")
        );
        assert!(
            check_walk_in(&WalkInInput {
                name: "Ole".into(),
                phone: "123".into(),
                need: String::new()
            })
            .unwrap_err()
            .contains_key("phone")
        );
    }

    #[test]
    fn status_changes_follow_the_visit() {
        use Status::*;
        assert!(can_move(Booked, Arrived));
        assert!(can_move(Arrived, InProgress));
        assert!(can_move(InProgress, Done));
        assert!(can_move(NoShow, Arrived));
        assert!(!can_move(Cancelled, Arrived));
        assert!(!can_move(Done, Arrived));
        assert!(!can_move(Booked, Booked));
        assert!(can_cancel(Booked) && !can_cancel(Done) && !can_cancel(Cancelled));
        for s in [Booked, Cancelled, Arrived, InProgress, Done, NoShow] {
            assert_eq!(Status::parse(s.as_str()), Some(s));
        }
    }

    #[test]
    fn outcomes_fit_the_status() {
        assert!(can_record_outcome(Status::InProgress, Outcome::HandedOut));
        assert!(!can_record_outcome(Status::Cancelled, Outcome::Advice));
        assert!(!can_record_outcome(Status::InProgress, Outcome::NoShow));
        assert_eq!(Outcome::NoShow.status(), Status::NoShow);
        assert_eq!(Outcome::Referred.status(), Status::Done);
        for o in Outcome::ALL {
            assert_eq!(Outcome::parse(o.as_str()), Some(o));
        }
    }

    #[test]
    fn statistics_count_weeks_no_shows_outcomes_and_aids() {
        let now = utc("2026-11-30T12:00:00Z");
        let fact = |at: &str, walk_in, status, outcome, product: Option<&str>| VisitFact {
            at: utc(at),
            walk_in,
            status,
            outcome,
            product: product.map(str::to_owned),
        };
        let facts = vec![
            fact(
                "2026-11-24T11:00:00Z",
                false,
                Status::Done,
                Some(Outcome::HandedOut),
                Some("Rollator"),
            ),
            fact(
                "2026-11-24T11:20:00Z",
                false,
                Status::NoShow,
                Some(Outcome::NoShow),
                None,
            ),
            fact("2026-11-24T11:40:00Z", false, Status::Cancelled, None, None),
            fact(
                "2026-11-24T12:00:00Z",
                true,
                Status::Done,
                Some(Outcome::HandedOut),
                Some("Rollator"),
            ),
            fact("2026-12-01T11:00:00Z", false, Status::Booked, None, None),
            fact(
                "2026-12-01T12:00:00Z",
                true,
                Status::Done,
                Some(Outcome::HandedOut),
                Some("Badebænk"),
            ),
        ];
        let stats = statistics(&facts, now, 5);
        assert_eq!(
            stats.weeks,
            vec![
                WeekCount {
                    week: "2026-W48".into(),
                    booked: 2,
                    walk_in: 1
                },
                WeekCount {
                    week: "2026-W49".into(),
                    booked: 1,
                    walk_in: 1
                },
            ]
        );
        assert_eq!((stats.past_bookings, stats.no_shows), (2, 1));
        assert_eq!(stats.no_show_rate, Some(0.5));
        assert_eq!(stats.outcomes[0], (Outcome::HandedOut, 3));
        assert_eq!(
            stats.top_aids,
            vec![("Rollator".to_owned(), 2), ("Badebænk".to_owned(), 1)]
        );
    }

    #[test]
    fn the_limit_refuses_the_twenty_first_request_and_forgets_after_the_window() {
        let limiter = RateLimiter::new(20, Duration::minutes(10));
        let now = utc("2026-11-23T08:00:00Z");
        for _ in 0..20 {
            assert!(limiter.allow("10.0.0.1", now));
        }
        assert!(!limiter.allow("10.0.0.1", now));
        assert!(
            limiter.allow("10.0.0.2", now),
            "another address is not affected"
        );
        assert!(limiter.allow("10.0.0.1", now + Duration::minutes(11)));
    }

    #[test]
    fn only_the_right_token_matches() {
        let (token, hash) = new_cancel_token();
        assert!(token_matches(&token, Some(&hash)));
        assert!(!token_matches("forkert", Some(&hash)));
        assert!(!token_matches("", Some(&crate::auth::secret_hash(""))));
        assert!(!token_matches(&token, None));
    }

    #[test]
    fn reminders_wait_until_eight_in_copenhagen() {
        assert!(!reminder_due(utc("2026-11-23T06:59:00Z")));
        assert!(reminder_due(utc("2026-11-23T07:00:00Z")));
        assert!(
            reminder_due(utc("2026-06-23T06:00:00Z")),
            "summer time: 08:00 is 06:00Z"
        );
    }

    #[test]
    fn times_are_described_in_danish_local_time() {
        assert_eq!(
            describe_time(utc("2026-11-24T11:00:00Z")),
            "tirsdag 24.11.2026 kl. 12:00"
        );
        assert_eq!(iso_week(utc("2026-11-29T23:30:00Z")), "2026-W49");
    }
}
