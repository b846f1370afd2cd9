//! Kvik Service in the database. Capacity is exact: a booking takes a place with
//! `UPDATE kvik_slot SET booked = booked + 1 WHERE ... AND booked < capacity`
//! inside its transaction, so concurrent bookings on either database can never
//! overfill a slot. Every transaction here writes first, so SQLite starts it as a
//! writer (waiting on its busy timeout) instead of failing on a lock upgrade.

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, Duration, NaiveDate, Utc};
use entity::{
    kvik_booking, kvik_closed_date, kvik_opening, kvik_settings, kvik_slot, loan, product, unit,
};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait,
    QueryFilter, QueryOrder, QuerySelect, Set,
};

use super::{
    DEFAULT_HORIZON_DAYS, NewBooking, Opening, Outcome, Slot, Status, VisitFact, check_bookable,
    local_to_utc, parse_hhmm,
};
use crate::auth::Principal;
use crate::citizens::store::{CitizenData, find_by_cpr, find_or_create_address, upsert_citizen};
use crate::domain::{AddressInput, Cpr, Phone};
use crate::error::AppError;
use crate::loans::LegalBasis;
use crate::loans::store::{NewLoan, create_loan};
use crate::state::AppState;

/// Opening hours, closed dates and horizon: all the slot rules need.
#[derive(Clone, Debug, Default)]
pub struct Setup {
    pub openings: Vec<Opening>,
    pub closed: BTreeSet<NaiveDate>,
    pub horizon_days: i32,
}

pub fn to_opening(model: &kvik_opening::Model) -> Option<Opening> {
    Some(Opening {
        weekday: u32::try_from(model.weekday).ok()?,
        opens: parse_hhmm(&model.opens)?,
        closes: parse_hhmm(&model.closes)?,
        slot_minutes: u32::try_from(model.slot_minutes).ok()?,
        capacity: model.capacity,
    })
}

pub async fn all_openings(db: &impl ConnectionTrait) -> Result<Vec<kvik_opening::Model>, AppError> {
    Ok(kvik_opening::Entity::find()
        .order_by_asc(kvik_opening::Column::Weekday)
        .order_by_asc(kvik_opening::Column::Opens)
        .all(db)
        .await?)
}

pub async fn closed_dates(
    db: &impl ConnectionTrait,
) -> Result<Vec<kvik_closed_date::Model>, AppError> {
    Ok(kvik_closed_date::Entity::find()
        .order_by_asc(kvik_closed_date::Column::Date)
        .all(db)
        .await?)
}

pub async fn horizon_days(db: &impl ConnectionTrait) -> Result<i32, AppError> {
    Ok(kvik_settings::Entity::find_by_id(1)
        .one(db)
        .await?
        .map_or(DEFAULT_HORIZON_DAYS, |s| s.horizon_days))
}

pub async fn set_horizon_days(db: &impl ConnectionTrait, days: i32) -> Result<(), AppError> {
    let row = kvik_settings::ActiveModel {
        id: Set(1),
        horizon_days: Set(days),
    };
    kvik_settings::Entity::insert(row)
        .on_conflict(
            sea_orm::sea_query::OnConflict::column(kvik_settings::Column::Id)
                .update_column(kvik_settings::Column::HorizonDays)
                .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    Ok(())
}

pub async fn load_setup(db: &impl ConnectionTrait) -> Result<Setup, AppError> {
    let openings = all_openings(db)
        .await?
        .iter()
        .filter(|o| o.active)
        .filter_map(to_opening)
        .collect();
    let closed = closed_dates(db)
        .await?
        .into_iter()
        .map(|c| c.date)
        .collect();
    Ok(Setup {
        openings,
        closed,
        horizon_days: horizon_days(db).await?,
    })
}

/// A slot with its free places.
#[derive(Clone, Debug)]
pub struct FreeSlot {
    pub slot: Slot,
    pub available: i32,
}

/// The bookable slots of `from..=to` with their free places (0 when full).
pub async fn slots_with_places(
    db: &impl ConnectionTrait,
    setup: &Setup,
    now: DateTime<Utc>,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<FreeSlot>, AppError> {
    let today = crate::clock::local_date(now);
    let slots = super::bookable_slots(
        &setup.openings,
        &setup.closed,
        setup.horizon_days,
        today,
        now,
        from,
        to,
    );
    let (Some(first), Some(last)) = (slots.first(), slots.last()) else {
        return Ok(Vec::new());
    };
    let booked: HashMap<DateTime<Utc>, i32> = kvik_slot::Entity::find()
        .filter(kvik_slot::Column::SlotStart.gte(first.start))
        .filter(kvik_slot::Column::SlotStart.lte(last.start))
        .all(db)
        .await?
        .into_iter()
        .map(|s| (s.slot_start, s.booked))
        .collect();
    Ok(slots
        .into_iter()
        .map(|slot| {
            let taken = booked.get(&slot.start).copied().unwrap_or(0);
            FreeSlot {
                available: std::cmp::max(slot.capacity - taken, 0),
                slot,
            }
        })
        .collect())
}

/// The message of a full slot.
pub const FULL: &str = "Tiden er desværre optaget. Vælg en anden tid.";

/// Books a checked booking: refuses a time outside the opening hours (422 with
/// the reason), takes a place or answers 409 when the slot is full, and queues
/// the confirmation email when an address is given — all in one transaction.
/// Returns the booking and the cancel token (shown once; only its hash is kept).
pub async fn place_booking(
    state: &AppState,
    new: &NewBooking,
) -> Result<(kvik_booking::Model, String), AppError> {
    let now = state.clock.now();
    let setup = load_setup(&state.db).await?;
    let slot = check_bookable(
        new.slot_start,
        &setup.openings,
        &setup.closed,
        setup.horizon_days,
        now,
    )
    .map_err(|refusal| {
        let message = refusal.message();
        let mut fields = crate::error::FieldErrors::new();
        fields.insert("slot_start".to_owned(), vec![message.clone()]);
        AppError::Validation { message, fields }
    })?;
    let (token, hash) = super::new_cancel_token();
    let txn = crate::db::begin_write(&state.db).await?;
    kvik_slot::Entity::insert(kvik_slot::ActiveModel {
        slot_start: Set(slot.start),
        booked: Set(0),
        capacity: Set(slot.capacity),
        ..Default::default()
    })
    .on_conflict_do_nothing_on([kvik_slot::Column::SlotStart])
    .exec_without_returning(&txn)
    .await?;
    let taken = kvik_slot::Entity::update_many()
        .col_expr(
            kvik_slot::Column::Booked,
            Expr::col(kvik_slot::Column::Booked).add(1),
        )
        .col_expr(kvik_slot::Column::Capacity, Expr::value(slot.capacity))
        .filter(kvik_slot::Column::SlotStart.eq(slot.start))
        .filter(kvik_slot::Column::Booked.lt(slot.capacity))
        .exec(&txn)
        .await?;
    if taken.rows_affected != 1 {
        txn.rollback().await?;
        return Err(AppError::Conflict(FULL.to_owned()));
    }
    let booking = kvik_booking::ActiveModel {
        slot_start: Set(Some(slot.start)),
        name: Set(new.name.clone()),
        phone: Set(new.phone.clone()),
        email: Set(new.email.clone()),
        need: Set(new.need.clone()),
        aids: Set((!new.aids.is_empty()).then(|| new.aids.join(","))),
        walk_in: Set(false),
        status: Set(Status::Booked.as_str().to_owned()),
        cancel_token_hash: Set(Some(hash)),
        arrived_at: Set(None),
        outcome: Set(None),
        outcome_note: Set(None),
        loan_id: Set(None),
        handled_by: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let queued = match &booking.email {
        Some(email) => {
            let mail = super::mail::confirmation(state, &booking, email, &slot, &token)?;
            crate::notify::store::enqueue(&txn, mail, &state.config.mail_domain(), now).await?
        }
        None => false,
    };
    txn.commit().await?;
    if queued {
        state.mail_wakeup.notify_one();
    }
    Ok((booking, token))
}

pub async fn find(db: &impl ConnectionTrait, id: i32) -> Result<kvik_booking::Model, AppError> {
    kvik_booking::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)
}

/// A booking found by id and cancel token; anything else is "not found", so
/// nobody learns whether a booking exists without its token.
pub async fn find_with_token(
    db: &impl ConnectionTrait,
    id: i32,
    token: &str,
) -> Result<kvik_booking::Model, AppError> {
    let found = kvik_booking::Entity::find_by_id(id).one(db).await?;
    let hash = found.as_ref().and_then(|b| b.cancel_token_hash.clone());
    match found {
        Some(booking) if super::token_matches(token, hash.as_deref()) => Ok(booking),
        _ => Err(AppError::NotFound),
    }
}

/// Cancels a booked visit (citizen with the token, or staff) and frees its place
/// in the same transaction. Cancelling again changes nothing.
pub async fn cancel(
    db: &DatabaseConnection,
    booking: &kvik_booking::Model,
    by_citizen: bool,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let status = Status::parse(&booking.status).unwrap_or(Status::Cancelled);
    if status == Status::Cancelled {
        return Ok(());
    }
    if by_citizen {
        if status != Status::Booked {
            return Err(AppError::Conflict(
                "Besøget er allerede i gang og kan ikke aflyses her.".to_owned(),
            ));
        }
        if booking.slot_start.is_some_and(|s| s <= now) {
            return Err(AppError::Conflict(
                "Tiden er overstået og kan ikke aflyses.".to_owned(),
            ));
        }
    } else if !super::can_cancel(status) {
        return Err(AppError::Conflict(format!(
            "Et besøg med status «{}» kan ikke aflyses.",
            status.label()
        )));
    }
    let txn = crate::db::begin_write(db).await?;
    let changed = kvik_booking::Entity::update_many()
        .col_expr(
            kvik_booking::Column::Status,
            Expr::value(Status::Cancelled.as_str()),
        )
        .col_expr(kvik_booking::Column::UpdatedAt, Expr::value(now))
        .filter(kvik_booking::Column::Id.eq(booking.id))
        .filter(kvik_booking::Column::Status.eq(status.as_str()))
        .exec(&txn)
        .await?;
    if changed.rows_affected != 1 {
        txn.rollback().await?;
        return Err(AppError::Conflict(
            "Besøget blev ændret imens. Genindlæs siden.".to_owned(),
        ));
    }
    if let Some(start) = booking.slot_start {
        kvik_slot::Entity::update_many()
            .col_expr(
                kvik_slot::Column::Booked,
                Expr::col(kvik_slot::Column::Booked).sub(1),
            )
            .filter(kvik_slot::Column::SlotStart.eq(start))
            .filter(kvik_slot::Column::Booked.gt(0))
            .exec(&txn)
            .await?;
    }
    txn.commit().await?;
    Ok(())
}

/// Registers a walk-in: waiting at the counter from now.
pub async fn add_walk_in(
    db: &impl ConnectionTrait,
    name: String,
    phone: String,
    need: String,
    actor: &Principal,
    now: DateTime<Utc>,
) -> Result<kvik_booking::Model, AppError> {
    Ok(kvik_booking::ActiveModel {
        slot_start: Set(None),
        name: Set(name),
        phone: Set(phone),
        email: Set(None),
        need: Set(need),
        aids: Set(None),
        walk_in: Set(true),
        status: Set(Status::Arrived.as_str().to_owned()),
        cancel_token_hash: Set(None),
        arrived_at: Set(Some(now)),
        outcome: Set(None),
        outcome_note: Set(None),
        loan_id: Set(None),
        handled_by: Set(Some(actor.user_id)),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?)
}

/// The instants a local date begins and ends in Copenhagen.
pub fn day_bounds(date: NaiveDate) -> (DateTime<Utc>, DateTime<Utc>) {
    let midnight = chrono::NaiveTime::MIN;
    let start = local_to_utc(date, midnight).unwrap_or_else(|| date.and_time(midnight).and_utc());
    let next = date.succ_opt().unwrap_or(date);
    let end = local_to_utc(next, midnight).unwrap_or_else(|| next.and_time(midnight).and_utc());
    (start, end)
}

/// The day's queue: bookings (not cancelled) and walk-ins, in time order — a
/// booking at its slot, a walk-in at its arrival.
pub async fn queue(
    db: &impl ConnectionTrait,
    date: NaiveDate,
) -> Result<Vec<kvik_booking::Model>, AppError> {
    let (start, end) = day_bounds(date);
    let mut rows = kvik_booking::Entity::find()
        .filter(
            Condition::any()
                .add(
                    Condition::all()
                        .add(kvik_booking::Column::SlotStart.gte(start))
                        .add(kvik_booking::Column::SlotStart.lt(end)),
                )
                .add(
                    Condition::all()
                        .add(kvik_booking::Column::WalkIn.eq(true))
                        .add(kvik_booking::Column::CreatedAt.gte(start))
                        .add(kvik_booking::Column::CreatedAt.lt(end)),
                ),
        )
        .filter(kvik_booking::Column::Status.ne(Status::Cancelled.as_str()))
        .all(db)
        .await?;
    rows.sort_by_key(|b| (queue_time(b), b.id));
    Ok(rows)
}

/// When a visit stands in the queue: its slot, or a walk-in's arrival.
pub fn queue_time(b: &kvik_booking::Model) -> DateTime<Utc> {
    b.slot_start.or(b.arrived_at).unwrap_or(b.created_at)
}

/// Moves a visit to another status, if the rules allow it.
pub async fn set_status(
    db: &DatabaseConnection,
    id: i32,
    to: Status,
    actor: &Principal,
    now: DateTime<Utc>,
) -> Result<kvik_booking::Model, AppError> {
    let booking = find(db, id).await?;
    let from = Status::parse(&booking.status).unwrap_or(Status::Cancelled);
    if !super::can_move(from, to) {
        return Err(AppError::Conflict(format!(
            "Et besøg med status «{}» kan ikke ændres til «{}».",
            from.label(),
            to.label()
        )));
    }
    let mut update = kvik_booking::Entity::update_many()
        .col_expr(kvik_booking::Column::Status, Expr::value(to.as_str()))
        .col_expr(kvik_booking::Column::HandledBy, Expr::value(actor.user_id))
        .col_expr(kvik_booking::Column::UpdatedAt, Expr::value(now));
    if to == Status::Arrived && booking.arrived_at.is_none() {
        update = update.col_expr(kvik_booking::Column::ArrivedAt, Expr::value(now));
    }
    let changed = update
        .filter(kvik_booking::Column::Id.eq(id))
        .filter(kvik_booking::Column::Status.eq(from.as_str()))
        .exec(db)
        .await?;
    if changed.rows_affected != 1 {
        return Err(AppError::Conflict(
            "Besøget blev ændret imens. Genindlæs siden.".to_owned(),
        ));
    }
    find(db, id).await
}

/// What a visitator records at the end of a visit.
#[derive(Clone, Debug)]
pub struct OutcomeInput {
    pub outcome: Outcome,
    pub note: Option<String>,
    /// For a hand-out.
    pub handout: Option<Handout>,
}

/// The checked details of a hand-out.
#[derive(Clone, Debug)]
pub struct Handout {
    pub cpr: Cpr,
    pub product: product::Model,
    pub legal_basis: LegalBasis,
    /// Needed when the citizen has no address on file.
    pub address: Option<AddressInput>,
    /// The citizen's name when new (defaults to the booking's name).
    pub name: Option<String>,
}

/// Checks a hand-out's fields against the database: a known, active product that
/// may be handed out in Kvik, and an address when the citizen has none on file.
pub async fn check_handout(
    db: &impl ConnectionTrait,
    cpr: &str,
    product_code: &str,
    legal_basis: &str,
    address: Option<AddressInput>,
    name: Option<String>,
) -> Result<Handout, AppError> {
    let mut errors = crate::error::FieldErrors::new();
    let mut add = |f: &str, m: &str| errors.entry(f.to_owned()).or_default().push(m.to_owned());
    let cpr = match Cpr::parse(cpr) {
        Ok(c) => Some(c),
        Err(m) => {
            add("cpr", m);
            None
        }
    };
    let basis = if legal_basis.trim().is_empty() {
        Some(LegalBasis::Sundhedsloven140)
    } else {
        LegalBasis::parse(legal_basis)
    };
    if basis.is_none() {
        add("legal_basis", "Vælg §140 eller §112");
    }
    let product = product::Entity::find()
        .filter(product::Column::Code.eq(product_code.trim()))
        .one(db)
        .await?
        .filter(|p| p.active);
    match &product {
        None => add("product_code", "Vælg et hjælpemiddel fra listen"),
        Some(p) if !p.kvik_eligible => add(
            "product_code",
            "Dette hjælpemiddel udleveres ikke i Kvik Service",
        ),
        Some(_) => {}
    }
    let address = address.filter(|a| {
        !(a.street.trim().is_empty()
            && a.house_number.trim().is_empty()
            && a.postal_code.trim().is_empty()
            && a.city.trim().is_empty())
    });
    if let Some(cpr) = &cpr {
        let existing = find_by_cpr(db, cpr).await?;
        let has_address = existing.as_ref().is_some_and(|c| c.address_id.is_some());
        match &address {
            Some(a) => {
                let problems = a.validate("address.");
                for (field, messages) in problems {
                    for m in messages {
                        add(&field, &m);
                    }
                }
                if a.validate("").is_empty()
                    && crate::citizens::store::area_of_postal_code(db, &a.postal_code)
                        .await?
                        .is_none()
                {
                    add(
                        "address.postal_code",
                        "Postnummeret hører ikke til et område i kommunen",
                    );
                }
            }
            None if !has_address => add(
                "address",
                "Borgeren har ingen adresse i systemet. Skriv bopælsadressen.",
            ),
            None => {}
        }
    }
    match (cpr, product, basis, errors.is_empty()) {
        (Some(cpr), Some(product), Some(legal_basis), true) => Ok(Handout {
            cpr,
            product,
            legal_basis,
            address,
            name: name.map(|n| n.trim().to_owned()).filter(|n| !n.is_empty()),
        }),
        _ => Err(AppError::invalid(errors)),
    }
}

/// Records how a visit ended. A hand-out, in the same transaction: the citizen
/// is created or updated (audited), one available unit of the product goes on
/// loan (409 when none is left) and a loan starts today with the due date of its
/// legal basis, followed up by the area of the citizen's address.
pub async fn record_outcome(
    db: &DatabaseConnection,
    id: i32,
    input: OutcomeInput,
    actor: &Principal,
    now: DateTime<Utc>,
) -> Result<kvik_booking::Model, AppError> {
    let booking = find(db, id).await?;
    let status = Status::parse(&booking.status).unwrap_or(Status::Cancelled);
    if booking.outcome.is_some() {
        return Err(AppError::Conflict(
            "Udfaldet af besøget er allerede registreret.".to_owned(),
        ));
    }
    if !super::can_record_outcome(status, input.outcome) {
        return Err(AppError::Conflict(format!(
            "Et besøg med status «{}» kan ikke få udfaldet «{}».",
            status.label(),
            input.outcome.label()
        )));
    }
    let txn = crate::db::begin_write(db).await?;
    let changed = kvik_booking::Entity::update_many()
        .col_expr(
            kvik_booking::Column::Outcome,
            Expr::value(input.outcome.as_str()),
        )
        .col_expr(
            kvik_booking::Column::Status,
            Expr::value(input.outcome.status().as_str()),
        )
        .col_expr(
            kvik_booking::Column::OutcomeNote,
            Expr::value(input.note.clone()),
        )
        .col_expr(kvik_booking::Column::HandledBy, Expr::value(actor.user_id))
        .col_expr(kvik_booking::Column::UpdatedAt, Expr::value(now))
        .filter(kvik_booking::Column::Id.eq(id))
        .filter(kvik_booking::Column::Status.eq(status.as_str()))
        .filter(kvik_booking::Column::Outcome.is_null())
        .exec(&txn)
        .await?;
    if changed.rows_affected != 1 {
        txn.rollback().await?;
        return Err(AppError::Conflict(
            "Besøget blev ændret imens. Genindlæs siden.".to_owned(),
        ));
    }
    if let Some(handout) = &input.handout
        && input.outcome == Outcome::HandedOut
    {
        let loan = hand_out(&txn, &booking, handout, actor, now).await;
        let loan = match loan {
            Ok(loan) => loan,
            Err(e) => {
                txn.rollback().await?;
                return Err(e);
            }
        };
        kvik_booking::Entity::update_many()
            .col_expr(kvik_booking::Column::LoanId, Expr::value(loan.id))
            .filter(kvik_booking::Column::Id.eq(id))
            .exec(&txn)
            .await?;
    }
    txn.commit().await?;
    find(db, id).await
}

async fn hand_out(
    txn: &impl ConnectionTrait,
    booking: &kvik_booking::Model,
    handout: &Handout,
    actor: &Principal,
    now: DateTime<Utc>,
) -> Result<loan::Model, AppError> {
    let address_id = match &handout.address {
        Some(a) => Some(find_or_create_address(txn, a, None).await?.id),
        None => None,
    };
    let existing = find_by_cpr(txn, &handout.cpr).await?;
    let name = match (&existing, &handout.name) {
        (_, Some(given)) => given.clone(),
        (Some(found), None) => found.name.clone(),
        (None, None) => booking.name.clone(),
    };
    let phone = Phone::parse(&booking.phone).ok();
    let (citizen, _) = upsert_citizen(
        txn,
        Some(actor),
        &CitizenData {
            cpr: &handout.cpr,
            name: &name,
            phone: if existing.is_some() {
                None
            } else {
                phone.as_ref()
            },
            address_id,
        },
        now,
    )
    .await?;
    let home = crate::citizens::store::find_address(txn, citizen.address_id)
        .await?
        .ok_or_else(|| {
            AppError::field(
                "address",
                "Borgeren har ingen adresse i systemet. Skriv bopælsadressen.",
            )
        })?;
    let area = crate::citizens::store::area_of_postal_code(txn, &home.postal_code)
        .await?
        .ok_or_else(|| {
            AppError::field(
                "address.postal_code",
                "Borgerens postnummer hører ikke til et område i kommunen. Skriv den rigtige adresse.",
            )
        })?;
    let unit = take_unit(txn, handout.product.id, now).await?;
    create_loan(
        txn,
        NewLoan {
            citizen_id: citizen.id,
            product_id: handout.product.id,
            unit_id: Some(unit.id),
            order_id: None,
            area_id: area.id,
            legal_basis: handout.legal_basis,
            start_date: crate::clock::local_date(now),
            due_date: None,
            actor_user_id: Some(actor.user_id),
            event: "created",
        },
        now,
    )
    .await
}

/// One available unit of a product, now on loan; 409 when none is left.
async fn take_unit(
    txn: &impl ConnectionTrait,
    product_id: i32,
    now: DateTime<Utc>,
) -> Result<unit::Model, AppError> {
    let candidates = unit::Entity::find()
        .filter(unit::Column::ProductId.eq(product_id))
        .filter(unit::Column::Status.eq("available"))
        .order_by_asc(unit::Column::Id)
        .limit(5)
        .all(txn)
        .await?;
    for candidate in candidates {
        let taken = unit::Entity::update_many()
            .col_expr(unit::Column::Status, Expr::value("on_loan"))
            .col_expr(unit::Column::UpdatedAt, Expr::value(now))
            .filter(unit::Column::Id.eq(candidate.id))
            .filter(unit::Column::Status.eq("available"))
            .exec(txn)
            .await?;
        if taken.rows_affected == 1 {
            return Ok(candidate);
        }
    }
    Err(AppError::Conflict(
        "Der er ingen ledige enheder af dette hjælpemiddel på lager.".to_owned(),
    ))
}

/// Products that can be handed out in Kvik Service.
pub async fn kvik_products(db: &impl ConnectionTrait) -> Result<Vec<product::Model>, AppError> {
    Ok(product::Entity::find()
        .filter(product::Column::KvikEligible.eq(true))
        .filter(product::Column::Active.eq(true))
        .order_by_asc(product::Column::Name)
        .all(db)
        .await?)
}

/// The visits since `since` as the statistics see them.
pub async fn visit_facts(
    db: &impl ConnectionTrait,
    since: DateTime<Utc>,
) -> Result<Vec<VisitFact>, AppError> {
    let rows = kvik_booking::Entity::find()
        .filter(
            Condition::any()
                .add(kvik_booking::Column::SlotStart.gte(since))
                .add(
                    Condition::all()
                        .add(kvik_booking::Column::WalkIn.eq(true))
                        .add(kvik_booking::Column::CreatedAt.gte(since)),
                ),
        )
        .all(db)
        .await?;
    let loan_ids: Vec<i32> = rows.iter().filter_map(|r| r.loan_id).collect();
    let loans: HashMap<i32, i32> = if loan_ids.is_empty() {
        HashMap::new()
    } else {
        loan::Entity::find()
            .filter(loan::Column::Id.is_in(loan_ids))
            .all(db)
            .await?
            .into_iter()
            .map(|l| (l.id, l.product_id))
            .collect()
    };
    let products: HashMap<i32, String> = if loans.is_empty() {
        HashMap::new()
    } else {
        product::Entity::find()
            .filter(product::Column::Id.is_in(loans.values().copied().collect::<Vec<_>>()))
            .all(db)
            .await?
            .into_iter()
            .map(|p| (p.id, p.name))
            .collect()
    };
    Ok(rows
        .into_iter()
        .map(|r| VisitFact {
            at: queue_time(&r),
            walk_in: r.walk_in,
            status: Status::parse(&r.status).unwrap_or(Status::Cancelled),
            outcome: r.outcome.as_deref().and_then(Outcome::parse),
            product: r
                .loan_id
                .and_then(|l| loans.get(&l))
                .and_then(|p| products.get(p))
                .cloned(),
        })
        .collect())
}

/// Queues a reminder for each booked visit of `date` with an email address.
/// Safe to run twice: each reminder has its own outbox key.
pub async fn queue_reminders(state: &AppState, date: NaiveDate) -> Result<u64, AppError> {
    let now = state.clock.now();
    let (start, end) = day_bounds(date);
    let rows = kvik_booking::Entity::find()
        .filter(kvik_booking::Column::SlotStart.gte(start))
        .filter(kvik_booking::Column::SlotStart.lt(end))
        .filter(kvik_booking::Column::Status.eq(Status::Booked.as_str()))
        .filter(kvik_booking::Column::Email.is_not_null())
        .order_by_asc(kvik_booking::Column::Id)
        .all(&state.db)
        .await?;
    let mut queued = 0;
    let txn = crate::db::begin_write(&state.db).await?;
    for booking in &rows {
        let (Some(email), Some(slot_start)) = (&booking.email, booking.slot_start) else {
            continue;
        };
        let mail = super::mail::reminder(booking, email, slot_start)?;
        if crate::notify::store::enqueue(&txn, mail, &state.config.mail_domain(), now).await? {
            queued += 1;
        }
    }
    txn.commit().await?;
    if queued > 0 {
        state.mail_wakeup.notify_one();
    }
    Ok(queued)
}

/// How far back the statistics look.
pub fn stats_since(now: DateTime<Utc>) -> DateTime<Utc> {
    now - Duration::weeks(12)
}

pub async fn find_opening(
    db: &impl ConnectionTrait,
    id: i32,
) -> Result<kvik_opening::Model, AppError> {
    kvik_opening::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)
}

/// Saves an opening: a new one when `id` is 0.
pub async fn save_opening(
    db: &impl ConnectionTrait,
    id: i32,
    opening: &Opening,
    active: bool,
) -> Result<(), AppError> {
    let mut row = kvik_opening::ActiveModel {
        weekday: Set(i32::try_from(opening.weekday).unwrap_or(1)),
        opens: Set(opening.opens.format("%H:%M").to_string()),
        closes: Set(opening.closes.format("%H:%M").to_string()),
        slot_minutes: Set(i32::try_from(opening.slot_minutes).unwrap_or(20)),
        capacity: Set(opening.capacity),
        active: Set(active),
        ..Default::default()
    };
    if id == 0 {
        row.insert(db).await?;
    } else {
        row.id = Set(id);
        row.update(db).await?;
    }
    Ok(())
}

/// Removes an opening. Bookings already made keep their time.
pub async fn delete_opening(db: &impl ConnectionTrait, id: i32) -> Result<(), AppError> {
    let gone = kvik_opening::Entity::delete_by_id(id).exec(db).await?;
    if gone.rows_affected == 0 {
        return Err(AppError::NotFound);
    }
    Ok(())
}

/// Closes a date (409 when it already is). Bookings already made keep their time.
pub async fn add_closed_date(
    db: &impl ConnectionTrait,
    date: NaiveDate,
    reason: &str,
) -> Result<(), AppError> {
    kvik_closed_date::ActiveModel {
        date: Set(date),
        reason: Set(reason.to_owned()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}

pub async fn delete_closed_date(db: &impl ConnectionTrait, id: i32) -> Result<(), AppError> {
    let gone = kvik_closed_date::Entity::delete_by_id(id).exec(db).await?;
    if gone.rows_affected == 0 {
        return Err(AppError::NotFound);
    }
    Ok(())
}
