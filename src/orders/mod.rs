//! Orders for aids from hospital discharge coordinators, area therapists and the
//! depot itself. The rules live here as plain functions (no I/O): the status
//! machine, the checks of an order (every problem at once, in Danish), the
//! canonical hash behind the Idempotency-Key, and the "samkøres med ordre N"
//! hint. Queries are in `store.rs`, JSON in `api.rs`, pages in `pages.rs`.

pub mod api;
pub mod demo;
pub mod mail;
pub mod pages;
pub mod store;

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Europe::Copenhagen;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::auth::{Access, Role};
use crate::domain::{AddressInput, Cpr, Phone, PostalCode};
use crate::error::FieldErrors;
use crate::loans::LegalBasis;
use crate::routes::RouteDef;

/// Who may order: coordinators, therapists and the depot (admin passes always).
pub const ORDERERS: Access = Access::Roles(&[Role::Coordinator, Role::Therapist, Role::Depot]);
/// Who runs the workflow (confirm, hand out, mark delivered).
pub const DEPOT: Access = Access::Roles(&[Role::Depot]);

/// Most aids of one kind on one line.
pub const MAX_QUANTITY: i64 = 20;
/// Most lines on one order.
pub const MAX_LINES: usize = 20;

pub fn routes() -> Vec<RouteDef> {
    let mut all = api::routes();
    all.extend(pages::routes());
    all
}

// ---------------------------------------------------------------- words

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Received,
    Confirmed,
    Planned,
    OutForDelivery,
    Delivered,
    Failed,
    Cancelled,
    ReadyForPickup,
}

impl Status {
    pub const ALL: [Status; 8] = [
        Status::Received,
        Status::Confirmed,
        Status::Planned,
        Status::OutForDelivery,
        Status::Delivered,
        Status::Failed,
        Status::Cancelled,
        Status::ReadyForPickup,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Received => "received",
            Self::Confirmed => "confirmed",
            Self::Planned => "planned",
            Self::OutForDelivery => "out_for_delivery",
            Self::Delivered => "delivered",
            Self::Failed => "failed",
            Self::Cancelled => "cancelled",
            Self::ReadyForPickup => "ready_for_pickup",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == raw.trim())
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Received => "Modtaget",
            Self::Confirmed => "Bekræftet",
            Self::Planned => "Planlagt på kørsel",
            Self::OutForDelivery => "Under udbringning",
            Self::Delivered => "Leveret",
            Self::Failed => "Levering mislykkedes",
            Self::Cancelled => "Annulleret",
            Self::ReadyForPickup => "Klar til afhentning",
        }
    }

    /// The button text of the action that leads to this status.
    pub fn action_label(self) -> &'static str {
        match self {
            Self::Received => "Modtag",
            Self::Confirmed => "Bekræft",
            Self::Planned => "Planlæg",
            Self::OutForDelivery => "Sendt ud",
            Self::Delivered => "Markér som leveret",
            Self::Failed => "Markér som mislykket",
            Self::Cancelled => "Annuller ordren",
            Self::ReadyForPickup => "Klar til afhentning",
        }
    }

    /// Still to be done: counts for "samkøres med" and the open lists.
    pub fn is_open(self) -> bool {
        matches!(
            self,
            Self::Received
                | Self::Confirmed
                | Self::Planned
                | Self::OutForDelivery
                | Self::ReadyForPickup
        )
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryMode {
    Delivery,
    SelfPickup,
}

impl DeliveryMode {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Delivery => "delivery",
            Self::SelfPickup => "self_pickup",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        match raw.trim() {
            "delivery" => Some(Self::Delivery),
            "self_pickup" => Some(Self::SelfPickup),
            _ => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Delivery => "Levering",
            Self::SelfPickup => "Selvhenter",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// Bring aids to the citizen.
    Delivery,
    /// Collect aids from the citizen (afhentning).
    Pickup,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Delivery => "delivery",
            Self::Pickup => "pickup",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        match raw.trim() {
            "delivery" => Some(Self::Delivery),
            "pickup" => Some(Self::Pickup),
            _ => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Delivery => "Udlevering",
            Self::Pickup => "Afhentning",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    Hospital,
    Therapist,
    Kvik,
    Depot,
}

impl Source {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Hospital => "hospital",
            Self::Therapist => "therapist",
            Self::Kvik => "kvik",
            Self::Depot => "depot",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        match raw.trim() {
            "hospital" => Some(Self::Hospital),
            "therapist" => Some(Self::Therapist),
            "kvik" => Some(Self::Kvik),
            "depot" => Some(Self::Depot),
            _ => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Hospital => "Sygehus",
            Self::Therapist => "Terapeut",
            Self::Kvik => "Kvik Service",
            Self::Depot => "Depot",
        }
    }

    /// The source of an order sent through the API by this role.
    pub fn of_role(role: Role) -> Option<Self> {
        match role {
            Role::Coordinator => Some(Self::Hospital),
            Role::Therapist => Some(Self::Therapist),
            Role::Depot | Role::Admin => Some(Self::Depot),
            Role::Visitator | Role::Driver => None,
        }
    }
}

// ---------------------------------------------------------------- the status machine

/// A status change the machine does not allow: 409.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("En ordre kan ikke gå fra «{}» til «{}»{}", from.label(), to.label(), mode_note(*mode))]
pub struct IllegalTransition {
    pub from: Status,
    pub to: Status,
    pub mode: DeliveryMode,
}

fn mode_note(mode: DeliveryMode) -> &'static str {
    match mode {
        DeliveryMode::Delivery => "",
        DeliveryMode::SelfPickup => " (selvhenter)",
    }
}

/// The order workflow. Delivery: received → confirmed → planned (on a run) →
/// out_for_delivery → delivered | failed; a failed delivery can be confirmed
/// again for a new attempt. Self-pickup: received → confirmed →
/// ready_for_pickup → delivered (collected). Cancelled from received,
/// confirmed and planned (or ready_for_pickup). A run dissolved before it left
/// sends planned back to confirmed.
pub fn transition(from: Status, to: Status, mode: DeliveryMode) -> Result<(), IllegalTransition> {
    use Status::*;
    let legal = match mode {
        DeliveryMode::Delivery => matches!(
            (from, to),
            (Received, Confirmed)
                | (Confirmed, Planned)
                | (Planned, Confirmed)
                | (Planned, OutForDelivery)
                | (OutForDelivery, Delivered)
                | (OutForDelivery, Failed)
                | (Failed, Confirmed)
                | (Received | Confirmed | Planned, Cancelled)
        ),
        DeliveryMode::SelfPickup => matches!(
            (from, to),
            (Received, Confirmed)
                | (Confirmed, ReadyForPickup)
                | (ReadyForPickup, Delivered)
                | (Received | Confirmed | ReadyForPickup, Cancelled)
        ),
    };
    if legal {
        Ok(())
    } else {
        Err(IllegalTransition { from, to, mode })
    }
}

/// The statuses depot staff may set by hand (planned comes from the runs).
pub const MANUAL: [Status; 6] = [
    Status::Confirmed,
    Status::ReadyForPickup,
    Status::OutForDelivery,
    Status::Delivered,
    Status::Failed,
    Status::Cancelled,
];

/// The buttons on the order page: the manual statuses the machine allows now.
pub fn next_manual(from: Status, mode: DeliveryMode) -> Vec<Status> {
    MANUAL
        .into_iter()
        .filter(|to| transition(from, *to, mode).is_ok())
        .collect()
}

// ---------------------------------------------------------------- input

/// An order as sent in JSON (and as the forms are turned into). Every field is
/// lenient (strings, defaults), so the checks can name every problem at once.
#[derive(Clone, Debug, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct OrderInput {
    /// `delivery` (default) or `pickup`.
    pub kind: Option<String>,
    pub citizen: CitizenIn,
    /// The discharge or delivery address (may differ from the home address).
    pub address: AddressIn,
    /// RFC 3339 with offset, e.g. `2026-11-24T10:00:00+01:00`. Required from coordinators.
    pub discharge_at: Option<String>,
    /// `YYYY-MM-DD`. Required from therapists; defaults to the discharge date.
    pub deliver_by: Option<String>,
    /// `delivery` (default) or `self_pickup`.
    pub delivery_mode: Option<String>,
    /// `sundhedsloven_140` (default) or `serviceloven_112`.
    pub legal_basis: Option<String>,
    pub lines: Vec<LineIn>,
    pub access_notes: Option<String>,
    pub contact_phone: Option<String>,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct CitizenIn {
    /// 10 digits (a dash allowed) or a hospital replacement number.
    pub cpr: String,
    pub name: String,
    pub phone: Option<String>,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct AddressIn {
    pub street: String,
    pub house_number: String,
    pub floor: Option<String>,
    pub door: Option<String>,
    pub postal_code: String,
    /// May be left out: the city of the postal code is used.
    pub city: String,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct LineIn {
    /// The product code (or, from the form, its exact name).
    pub product_code: String,
    pub quantity: i64,
}

/// Which rules an order is checked by: the hospital form, the therapist form,
/// or the depot (either a discharge time or a date).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rules {
    Hospital,
    Therapist,
    Depot,
}

impl Rules {
    pub fn source(self) -> Source {
        match self {
            Self::Hospital => Source::Hospital,
            Self::Therapist => Source::Therapist,
            Self::Depot => Source::Depot,
        }
    }
}

/// A product as the checks need it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProductRef {
    pub id: i32,
    pub code: String,
    pub name: String,
}

/// What the checks look up in the database, fetched before the pure check.
#[derive(Clone, Debug, Default)]
pub struct Lookups {
    /// Active products by code.
    pub products: HashMap<String, ProductRef>,
    /// The area of the typed postal code and the postal code's city, if any.
    pub area: Option<(i32, String)>,
}

impl Lookups {
    /// A product by its code, or by its exact name in any case (the form's
    /// free-text field), or by "code name" as a datalist may fill in.
    pub fn product(&self, typed: &str) -> Option<&ProductRef> {
        let typed = typed.trim();
        if let Some(found) = self.products.get(typed) {
            return Some(found);
        }
        let lower = typed.to_lowercase();
        self.products.values().find(|p| {
            p.name.to_lowercase() == lower
                || typed
                    .split_once(' ')
                    .is_some_and(|(code, _)| code == p.code)
        })
    }
}

/// A checked order, ready to store.
#[derive(Clone, Debug, PartialEq)]
pub struct NewOrder {
    pub kind: Kind,
    pub source: Source,
    pub cpr: Cpr,
    pub name: String,
    pub phone: Option<Phone>,
    pub address: AddressInput,
    pub area_id: i32,
    pub discharge_at: Option<DateTime<Utc>>,
    pub deliver_by: NaiveDate,
    pub delivery_mode: DeliveryMode,
    pub legal_basis: LegalBasis,
    /// (product, quantity)
    pub lines: Vec<(ProductRef, i32)>,
    pub access_notes: Option<String>,
    pub contact_phone: Option<Phone>,
}

fn blank(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

/// Checks an order and returns every problem at once, keyed by the JSON path
/// (`citizen.cpr`, `address.postal_code`, `lines[0].product_code` ...).
pub fn check_order(
    input: &OrderInput,
    rules: Rules,
    lookups: &Lookups,
    today: NaiveDate,
) -> Result<NewOrder, FieldErrors> {
    let mut errors = FieldErrors::new();
    let mut add = |field: &str, message: &str| {
        errors
            .entry(field.to_owned())
            .or_default()
            .push(message.to_owned())
    };

    let kind = match blank(&input.kind) {
        None => Some(Kind::Delivery),
        Some(raw) => Kind::parse(raw).or_else(|| {
            add("kind", "Art skal være delivery eller pickup");
            None
        }),
    };
    let mode = match blank(&input.delivery_mode) {
        None => Some(DeliveryMode::Delivery),
        Some(raw) => DeliveryMode::parse(raw).or_else(|| {
            add(
                "delivery_mode",
                "Leveringsform skal være delivery eller self_pickup",
            );
            None
        }),
    };
    if kind == Some(Kind::Pickup) && mode == Some(DeliveryMode::SelfPickup) {
        add(
            "delivery_mode",
            "En afhentning hos borgeren kan ikke være selvhenter",
        );
    }
    let legal_basis = match blank(&input.legal_basis) {
        None => Some(LegalBasis::Sundhedsloven140),
        Some(raw) => LegalBasis::parse(raw).or_else(|| {
            add(
                "legal_basis",
                "Lovgrundlag skal være sundhedsloven_140 eller serviceloven_112",
            );
            None
        }),
    };

    // The citizen.
    let cpr = Cpr::parse(&input.citizen.cpr)
        .map_err(|m| {
            add(
                "citizen.cpr",
                if input.citizen.cpr.trim().is_empty() {
                    "CPR-nummer mangler"
                } else {
                    m
                },
            )
        })
        .ok();
    let name = input
        .citizen
        .name
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    if name.is_empty() {
        add("citizen.name", "Navn mangler");
    } else if name.chars().count() > 200 {
        add("citizen.name", "Navnet er for langt");
    }
    let phone = match blank(&input.citizen.phone) {
        None => None,
        Some(raw) => Phone::parse(raw).map_err(|m| add("citizen.phone", m)).ok(),
    };
    let contact_phone = match blank(&input.contact_phone) {
        None => None,
        Some(raw) => Phone::parse(raw).map_err(|m| add("contact_phone", m)).ok(),
    };

    // The address: every part, then whether the postal code is ours.
    let mut address = crate::citizens::tidy_address(&AddressInput {
        street: input.address.street.clone(),
        house_number: input.address.house_number.clone(),
        floor: input.address.floor.clone(),
        door: input.address.door.clone(),
        postal_code: input.address.postal_code.clone(),
        city: input.address.city.clone(),
    });
    if address.city.is_empty()
        && let Some((_, city)) = &lookups.area
    {
        address.city.clone_from(city);
    }
    for (field, messages) in address.validate("address.") {
        for message in messages {
            add(&field, &message);
        }
    }
    let postal_ok = PostalCode::parse(&address.postal_code).is_ok();
    if postal_ok && lookups.area.is_none() {
        add(
            "address.postal_code",
            "Postnummeret hører ikke til kommunen",
        );
    }

    // When: a discharge time (hospital) or a wanted date (therapist).
    let discharge_at = match blank(&input.discharge_at) {
        None => None,
        Some(raw) => match DateTime::parse_from_rfc3339(raw) {
            Ok(at) => {
                let at = at.to_utc();
                if crate::clock::local_date(at) < today {
                    add("discharge_at", "Udskrivelsen kan ikke ligge før i dag");
                }
                Some(at)
            }
            Err(_) => {
                add(
                    "discharge_at",
                    "Udskrivelsestidspunktet skal være dato og klokkeslæt med tidszone, fx 2026-11-24T10:00:00+01:00",
                );
                None
            }
        },
    };
    let needs_discharge = rules == Rules::Hospital && kind == Some(Kind::Delivery);
    if needs_discharge && blank(&input.discharge_at).is_none() {
        add(
            "discharge_at",
            "Udskrivelsestidspunkt mangler: dato og klokkeslæt for udskrivelsen",
        );
    }
    let deliver_by = match blank(&input.deliver_by) {
        Some(raw) => match NaiveDate::parse_from_str(raw, "%Y-%m-%d") {
            Ok(date) if date < today => {
                add("deliver_by", "Leveringsdatoen kan ikke ligge før i dag");
                None
            }
            Ok(date) => Some(date),
            Err(_) => {
                add(
                    "deliver_by",
                    "Leveringsdatoen skal skrives ÅÅÅÅ-MM-DD, fx 2026-11-24",
                );
                None
            }
        },
        None if rules == Rules::Therapist => {
            add("deliver_by", "Ønsket leveringsdato mangler");
            None
        }
        None => match discharge_at {
            Some(at) => Some(crate::clock::local_date(at)),
            None => {
                // No date at all (a missing discharge time is reported on its own).
                if !needs_discharge && blank(&input.discharge_at).is_none() {
                    add("deliver_by", "Ønsket leveringsdato mangler");
                }
                None
            }
        },
    };

    // The aids.
    let mut lines = Vec::new();
    if input.lines.is_empty() {
        add("lines", "Vælg mindst ét hjælpemiddel");
    } else if input.lines.len() > MAX_LINES {
        add("lines", "Højst 20 linjer på en bestilling");
    }
    for (i, line) in input.lines.iter().enumerate() {
        let product = if line.product_code.trim().is_empty() {
            add(&format!("lines[{i}].product_code"), "Hjælpemiddel mangler");
            None
        } else {
            lookups.product(&line.product_code).cloned().or_else(|| {
                add(&format!("lines[{i}].product_code"), "Ukendt hjælpemiddel");
                None
            })
        };
        let quantity = if (1..=MAX_QUANTITY).contains(&line.quantity) {
            i32::try_from(line.quantity).ok()
        } else {
            add(
                &format!("lines[{i}].quantity"),
                "Antal skal være mellem 1 og 20",
            );
            None
        };
        if let (Some(p), Some(q)) = (product, quantity) {
            lines.push((p, q));
        }
    }

    let access_notes = blank(&input.access_notes).map(str::to_owned);
    if access_notes
        .as_deref()
        .is_some_and(|n| n.chars().count() > 1000)
    {
        add(
            "access_notes",
            "Adgangsoplysningerne er for lange (højst 1000 tegn)",
        );
    }

    match (kind, mode, legal_basis, cpr, deliver_by, &lookups.area) {
        (
            Some(kind),
            Some(delivery_mode),
            Some(legal_basis),
            Some(cpr),
            Some(deliver_by),
            Some((area_id, _)),
        ) if errors.is_empty() => Ok(NewOrder {
            kind,
            source: rules.source(),
            cpr,
            name,
            phone,
            address,
            area_id: *area_id,
            discharge_at,
            deliver_by,
            delivery_mode,
            legal_basis,
            lines,
            access_notes,
            contact_phone,
        }),
        _ => {
            if errors.is_empty() {
                errors.insert("body".to_owned(), vec!["Ugyldig bestilling".to_owned()]);
            }
            Err(errors)
        }
    }
}

/// A discharge time typed in the form as a local date and time in Copenhagen,
/// as RFC 3339 (what the JSON carries). Errors name what is wrong in Danish.
pub fn local_discharge(date: &str, time: &str) -> Result<Option<String>, &'static str> {
    let (date, time) = (date.trim(), time.trim());
    if date.is_empty() && time.is_empty() {
        return Ok(None);
    }
    if date.is_empty() {
        return Err("Udskrivelsesdato mangler");
    }
    if time.is_empty() {
        return Err("Klokkeslæt for udskrivelsen mangler");
    }
    let time = if time.len() == 5 {
        format!("{time}:00")
    } else {
        time.to_owned()
    };
    let local = NaiveDateTime::parse_from_str(&format!("{date} {time}"), "%Y-%m-%d %H:%M:%S")
        .map_err(|_| "Skriv dato som ÅÅÅÅ-MM-DD og klokkeslæt som TT:MM")?;
    let at = Copenhagen
        .from_local_datetime(&local)
        .earliest()
        .ok_or("Klokkeslættet findes ikke den dag (sommertid)")?;
    Ok(Some(at.to_rfc3339()))
}

/// SHA-256 (hex) of the order as parsed: the same body gives the same hash
/// whatever the key order or spacing of the JSON.
pub fn request_hash(input: &OrderInput) -> String {
    let canonical = serde_json::to_vec(input).unwrap_or_default();
    hex::encode(Sha256::digest(&canonical))
}

// ---------------------------------------------------------------- related orders

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    SameAddress,
    SameCitizen,
}

/// Another open order at the same normalised address or for the same citizen.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Related {
    pub order_id: i32,
    pub reason: Reason,
    /// Both are delivered by car (a self-pickup is never on a run).
    pub drivable: bool,
}

/// "Samkøres med ordre 12 og 15" when orders at the same address can share a
/// drive; otherwise a note about the citizen's other orders; None when alone.
pub fn merge_hint(related: &[Related]) -> Option<String> {
    let list = |ids: Vec<i32>| {
        let ids: Vec<String> = ids.iter().map(i32::to_string).collect();
        match ids.as_slice() {
            [] => String::new(),
            [one] => one.clone(),
            [rest @ .., last] => format!("{} og {last}", rest.join(", ")),
        }
    };
    let drive: Vec<i32> = related
        .iter()
        .filter(|r| r.reason == Reason::SameAddress && r.drivable)
        .map(|r| r.order_id)
        .collect();
    if !drive.is_empty() {
        let word = if drive.len() == 1 {
            "ordre"
        } else {
            "ordrerne"
        };
        return Some(format!("Samkøres med {word} {}", list(drive)));
    }
    let at_address: Vec<i32> = related
        .iter()
        .filter(|r| r.reason == Reason::SameAddress)
        .map(|r| r.order_id)
        .collect();
    if !at_address.is_empty() {
        let word = if at_address.len() == 1 {
            "ordre"
        } else {
            "ordrerne"
        };
        return Some(format!(
            "Der er også åben {word} {} til samme adresse (selvhenter)",
            list(at_address)
        ));
    }
    if related.is_empty() {
        return None;
    }
    let ids: Vec<i32> = related.iter().map(|r| r.order_id).collect();
    let word = if ids.len() == 1 { "ordre" } else { "ordrerne" };
    Some(format!("Borgeren har også åben {word} {}", list(ids)))
}

#[cfg(test)]
mod tests;
