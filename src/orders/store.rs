//! Orders in the database: create (idempotent), read with related orders, list,
//! and every status change through the machine in `mod.rs`. Functions take any
//! connection so callers (delivery runs, loans) can run them in their own
//! transaction.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, NaiveDate, Utc};
use entity::{address, area_postcode, citizen, order, order_event, order_line, product, user};
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set, TransactionSession, TransactionTrait,
};

use super::{
    DeliveryMode, Kind, Lookups, NewOrder, ProductRef, Reason, Related, Source, Status, transition,
};
use crate::auth::Principal;
use crate::citizens::store::{CitizenData, find_by_cpr, find_or_create_address, upsert_citizen};
use crate::error::AppError;
use crate::loans::LegalBasis;
use crate::loans::store::{NewLoan, create_loan};

/// Starts a write transaction. On SQLite it takes the write lock at once
/// (`BEGIN IMMEDIATE`), so concurrent writers wait for each other instead of
/// failing when a read turns into a write.
pub async fn begin_write<C: TransactionTrait>(db: &C) -> Result<C::Transaction, AppError> {
    Ok(crate::db::begin_write(db).await?)
}

// ---------------------------------------------------------------- lookups

/// Active products by code, and the area of a postal code with its city.
pub async fn lookups(db: &impl ConnectionTrait, postal_code: &str) -> Result<Lookups, AppError> {
    let products = crate::basedata::store::active_products(db)
        .await?
        .into_iter()
        .map(|p| {
            (
                p.code.clone(),
                ProductRef {
                    id: p.id,
                    code: p.code,
                    name: p.name,
                },
            )
        })
        .collect();
    let area = match area_postcode::Entity::find_by_id(postal_code.trim().to_owned())
        .one(db)
        .await?
    {
        Some(link) => Some((link.area_id, link.city)),
        None => None,
    };
    Ok(Lookups { products, area })
}

// ---------------------------------------------------------------- create

/// What `create_order` came to.
#[derive(Debug)]
pub enum Created {
    New(order::Model),
    /// The same Idempotency-Key and body were sent before: that order.
    Existing(order::Model),
}

/// The key and request hash of an idempotent request.
#[derive(Clone, Copy, Debug)]
pub struct Idempotency<'a> {
    pub key: &'a str,
    pub hash: &'a str,
}

/// Builds the confirmation email of a new order (in `mail.rs`); given the order,
/// its lines and the hint about related orders.
pub type MailBuilder<'a> = &'a (
        dyn Fn(
    &order::Model,
    &[(ProductRef, i32)],
    Option<&str>,
) -> Result<crate::notify::Email, AppError>
            + Sync
    );

/// Creates the order with its lines, first event and confirmation email in one
/// transaction, the citizen and the address found or created on the way.
/// With an Idempotency-Key, the same key and body give the existing order, a
/// different body 422; concurrent duplicates never make two orders.
pub async fn create_order<C>(
    db: &C,
    actor: &Principal,
    new: &NewOrder,
    idempotency: Option<Idempotency<'_>>,
    mail: MailBuilder<'_>,
    mail_domain: &str,
    now: DateTime<Utc>,
) -> Result<Created, AppError>
where
    C: ConnectionTrait + TransactionTrait,
{
    let mut last = AppError::Conflict("Bestillingen kunne ikke gemmes. Prøv igen.".to_owned());
    for _attempt in 0..4 {
        let txn = begin_write(db).await?;
        if let Some(idem) = idempotency
            && let Some(existing) = find_by_key(&txn, actor.user_id, idem.key).await?
        {
            txn.rollback().await?;
            return same_request(existing, idem.hash);
        }
        match insert_order(&txn, actor, new, idempotency, mail, mail_domain, now).await {
            Ok(created) => {
                txn.commit().await?;
                return Ok(Created::New(created));
            }
            // A concurrent request made the same order, citizen or address first.
            Err(AppError::Conflict(message)) => {
                txn.rollback().await?;
                if let Some(idem) = idempotency
                    && let Some(existing) = find_by_key(db, actor.user_id, idem.key).await?
                {
                    return same_request(existing, idem.hash);
                }
                last = AppError::Conflict(message);
            }
            Err(other) => {
                txn.rollback().await?;
                return Err(other);
            }
        }
    }
    Err(last)
}

/// The order made before with this Idempotency-Key, if any: the same body
/// gives it back, a different body is refused (422).
pub async fn replay(
    db: &impl ConnectionTrait,
    ordered_by: i32,
    idempotency: Idempotency<'_>,
) -> Result<Option<Created>, AppError> {
    match find_by_key(db, ordered_by, idempotency.key).await? {
        Some(existing) => same_request(existing, idempotency.hash).map(Some),
        None => Ok(None),
    }
}

fn same_request(existing: order::Model, hash: &str) -> Result<Created, AppError> {
    if existing.request_hash.as_deref() == Some(hash) {
        Ok(Created::Existing(existing))
    } else {
        Err(AppError::field(
            "idempotency_key",
            format!(
                "Idempotency-Key er allerede brugt til ordre {} med et andet indhold. Brug en ny nøgle til en ny bestilling.",
                existing.id
            ),
        ))
    }
}

async fn find_by_key(
    db: &impl ConnectionTrait,
    ordered_by: i32,
    key: &str,
) -> Result<Option<order::Model>, AppError> {
    Ok(order::Entity::find()
        .filter(order::Column::OrderedBy.eq(ordered_by))
        .filter(order::Column::IdempotencyKey.eq(key))
        .one(db)
        .await?)
}

async fn insert_order(
    txn: &impl ConnectionTrait,
    actor: &Principal,
    new: &NewOrder,
    idempotency: Option<Idempotency<'_>>,
    mail: MailBuilder<'_>,
    mail_domain: &str,
    now: DateTime<Utc>,
) -> Result<order::Model, AppError> {
    let address = find_or_create_address(txn, &new.address, None).await?;
    // The discharge address becomes the home address only for a citizen without one.
    let known = find_by_cpr(txn, &new.cpr).await?;
    let home = match known {
        Some(c) if c.address_id.is_some() => None,
        _ => Some(address.id),
    };
    let (citizen, _) = upsert_citizen(
        txn,
        Some(actor),
        &CitizenData {
            cpr: &new.cpr,
            name: &new.name,
            phone: new.phone.as_ref(),
            address_id: home,
        },
        now,
    )
    .await?;
    let saved = order::ActiveModel {
        kind: Set(new.kind.as_str().to_owned()),
        source: Set(new.source.as_str().to_owned()),
        citizen_id: Set(citizen.id),
        address_id: Set(address.id),
        discharge_at: Set(new.discharge_at),
        deliver_by: Set(Some(new.deliver_by)),
        delivery_mode: Set(new.delivery_mode.as_str().to_owned()),
        legal_basis: Set(new.legal_basis.as_str().to_owned()),
        status: Set(Status::Received.as_str().to_owned()),
        access_notes: Set(new.access_notes.clone()),
        contact_phone: Set(new.contact_phone.as_ref().map(|p| p.as_str().to_owned())),
        notes: Set(None),
        ordered_by: Set(actor.user_id),
        idempotency_key: Set(idempotency.map(|i| i.key.to_owned())),
        request_hash: Set(idempotency.map(|i| i.hash.to_owned())),
        loan_id: Set(None),
        stop_id: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        completed_at: Set(None),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    order_line::Entity::insert_many(new.lines.iter().map(|(product, quantity)| {
        order_line::ActiveModel {
            order_id: Set(saved.id),
            product_id: Set(product.id),
            quantity: Set(*quantity),
            unit_id: Set(None),
            ..Default::default()
        }
    }))
    .exec_without_returning(txn)
    .await?;
    record_event(
        txn,
        saved.id,
        None,
        Status::Received,
        Some(actor.user_id),
        None,
        now,
    )
    .await?;
    let related = related_of(txn, std::slice::from_ref(&saved)).await?;
    let hint = super::merge_hint(related.get(&saved.id).map_or(&[][..], Vec::as_slice));
    let email = mail(&saved, &new.lines, hint.as_deref())?;
    crate::notify::store::enqueue(txn, email, mail_domain, now).await?;
    Ok(saved)
}

async fn record_event(
    db: &impl ConnectionTrait,
    order_id: i32,
    from: Option<Status>,
    to: Status,
    actor: Option<i32>,
    note: Option<String>,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    order_event::ActiveModel {
        order_id: Set(order_id),
        at: Set(now),
        actor_user_id: Set(actor),
        from_status: Set(from.map(|s| s.as_str().to_owned())),
        to_status: Set(to.as_str().to_owned()),
        note: Set(note),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}

// ---------------------------------------------------------------- read

pub async fn find(db: &impl ConnectionTrait, id: i32) -> Result<order::Model, AppError> {
    order::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)
}

/// An order with what every view of it shows.
#[derive(Clone, Debug)]
pub struct OrderView {
    pub order: order::Model,
    pub status: Status,
    pub kind: Kind,
    pub source: Source,
    pub mode: DeliveryMode,
    pub legal_basis: LegalBasis,
    pub citizen_name: String,
    pub cpr_masked: String,
    pub address: address::Model,
    pub address_line: String,
    pub area_id: Option<i32>,
    pub area_name: String,
    pub orderer_name: String,
    /// (product code, name, quantity)
    pub lines: Vec<(String, String, i32)>,
    pub related: Vec<Related>,
    pub merge_hint: Option<String>,
}

/// One change of status with the name of who made it.
#[derive(Clone, Debug)]
pub struct EventView {
    pub at: DateTime<Utc>,
    pub from: Option<Status>,
    pub to: Status,
    pub actor: String,
    pub note: String,
}

/// Views of orders, read in a few queries whatever their number.
pub async fn views(
    db: &impl ConnectionTrait,
    orders: Vec<order::Model>,
) -> Result<Vec<OrderView>, AppError> {
    if orders.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<i32> = orders.iter().map(|o| o.id).collect();
    let citizen_ids: HashSet<i32> = orders.iter().map(|o| o.citizen_id).collect();
    let address_ids: HashSet<i32> = orders.iter().map(|o| o.address_id).collect();
    let user_ids: HashSet<i32> = orders.iter().map(|o| o.ordered_by).collect();
    let citizens =
        crate::db::rows_by::<citizen::Entity, _>(db, citizen::Column::Id, citizen_ids, |c| c.id)
            .await?;
    let addresses =
        crate::db::rows_by::<address::Entity, _>(db, address::Column::Id, address_ids, |a| a.id)
            .await?;
    let users: HashMap<i32, String> = user::Entity::find()
        .filter(user::Column::Id.is_in(user_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.id, u.name))
        .collect();
    let postal_codes: HashSet<String> = addresses.values().map(|a| a.postal_code.clone()).collect();
    let areas: HashMap<String, i32> = area_postcode::Entity::find()
        .filter(area_postcode::Column::PostalCode.is_in(postal_codes))
        .all(db)
        .await?
        .into_iter()
        .map(|p| (p.postal_code, p.area_id))
        .collect();
    let area_names: HashMap<i32, String> = crate::basedata::store::all_areas(db)
        .await?
        .into_iter()
        .map(|a| (a.id, a.name))
        .collect();
    let lines = order_line::Entity::find()
        .filter(order_line::Column::OrderId.is_in(ids))
        .order_by_asc(order_line::Column::Id)
        .all(db)
        .await?;
    let product_ids: HashSet<i32> = lines.iter().map(|l| l.product_id).collect();
    let products =
        crate::db::rows_by::<product::Entity, _>(db, product::Column::Id, product_ids, |p| p.id)
            .await?;
    let mut lines_of: HashMap<i32, Vec<(String, String, i32)>> = HashMap::new();
    for line in lines {
        let (code, name) = products
            .get(&line.product_id)
            .map(|p| (p.code.clone(), p.name.clone()))
            .unwrap_or_default();
        lines_of
            .entry(line.order_id)
            .or_default()
            .push((code, name, line.quantity));
    }
    let mut related = related_of(db, &orders).await?;
    let mut out = Vec::with_capacity(orders.len());
    for o in orders {
        let address = addresses
            .get(&o.address_id)
            .cloned()
            .ok_or_else(|| AppError::Internal(format!("order {} without address", o.id)))?;
        let citizen = citizens
            .get(&o.citizen_id)
            .ok_or_else(|| AppError::Internal(format!("order {} without citizen", o.id)))?;
        let area_id = areas.get(&address.postal_code).copied();
        let related = related.remove(&o.id).unwrap_or_default();
        out.push(OrderView {
            status: parse_status(&o.status)?,
            kind: Kind::parse(&o.kind).unwrap_or(Kind::Delivery),
            source: Source::parse(&o.source).unwrap_or(Source::Depot),
            mode: DeliveryMode::parse(&o.delivery_mode).unwrap_or(DeliveryMode::Delivery),
            legal_basis: LegalBasis::parse(&o.legal_basis).unwrap_or(LegalBasis::Sundhedsloven140),
            citizen_name: citizen.name.clone(),
            cpr_masked: crate::citizens::mask_cpr(&citizen.cpr),
            address_line: crate::citizens::store::one_line(&address),
            address,
            area_id,
            area_name: area_id
                .and_then(|id| area_names.get(&id).cloned())
                .unwrap_or_default(),
            orderer_name: users.get(&o.ordered_by).cloned().unwrap_or_default(),
            lines: lines_of.remove(&o.id).unwrap_or_default(),
            merge_hint: super::merge_hint(&related),
            related,
            order: o,
        });
    }
    Ok(out)
}

pub async fn view(db: &impl ConnectionTrait, id: i32) -> Result<OrderView, AppError> {
    let order = find(db, id).await?;
    views(db, vec![order])
        .await?
        .pop()
        .ok_or(AppError::NotFound)
}

fn parse_status(raw: &str) -> Result<Status, AppError> {
    Status::parse(raw).ok_or_else(|| AppError::Internal(format!("unknown order status {raw}")))
}

/// For each open order: the other open orders at the same address (the address
/// row is unique per normalised key) or for the same citizen.
async fn related_of(
    db: &impl ConnectionTrait,
    orders: &[order::Model],
) -> Result<HashMap<i32, Vec<Related>>, AppError> {
    let open: Vec<&order::Model> = orders
        .iter()
        .filter(|o| Status::parse(&o.status).is_some_and(Status::is_open))
        .collect();
    if open.is_empty() {
        return Ok(HashMap::new());
    }
    let open_statuses: Vec<&str> = Status::ALL
        .into_iter()
        .filter(|s| s.is_open())
        .map(Status::as_str)
        .collect();
    let address_ids: HashSet<i32> = open.iter().map(|o| o.address_id).collect();
    let citizen_ids: HashSet<i32> = open.iter().map(|o| o.citizen_id).collect();
    // Only the four columns the comparison needs: a list of 200 open orders meets
    // ~400 here, and decoding whole rows was the list's largest cost.
    let others: Vec<(i32, i32, i32, String)> = order::Entity::find()
        .select_only()
        .columns([
            order::Column::Id,
            order::Column::AddressId,
            order::Column::CitizenId,
            order::Column::DeliveryMode,
        ])
        .filter(order::Column::Status.is_in(open_statuses))
        .filter(
            Condition::any()
                .add(order::Column::AddressId.is_in(address_ids))
                .add(order::Column::CitizenId.is_in(citizen_ids)),
        )
        .order_by_asc(order::Column::Id)
        .limit(500)
        .into_tuple()
        .all(db)
        .await?;
    let mut out = HashMap::new();
    for o in open {
        let list: Vec<Related> = others
            .iter()
            .filter(|(id, ..)| *id != o.id)
            .filter_map(|(id, address_id, citizen_id, mode)| {
                let reason = if *address_id == o.address_id {
                    Reason::SameAddress
                } else if *citizen_id == o.citizen_id {
                    Reason::SameCitizen
                } else {
                    return None;
                };
                Some(Related {
                    order_id: *id,
                    reason,
                    drivable: o.delivery_mode == DeliveryMode::Delivery.as_str()
                        && mode == DeliveryMode::Delivery.as_str(),
                })
            })
            .collect();
        out.insert(o.id, list);
    }
    Ok(out)
}

/// The history of an order, oldest first.
pub async fn events(db: &impl ConnectionTrait, order_id: i32) -> Result<Vec<EventView>, AppError> {
    let rows = order_event::Entity::find()
        .filter(order_event::Column::OrderId.eq(order_id))
        .order_by_asc(order_event::Column::At)
        .order_by_asc(order_event::Column::Id)
        .all(db)
        .await?;
    let user_ids: HashSet<i32> = rows.iter().filter_map(|e| e.actor_user_id).collect();
    let names: HashMap<i32, String> = user::Entity::find()
        .filter(user::Column::Id.is_in(user_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.id, u.name))
        .collect();
    rows.into_iter()
        .map(|e| {
            Ok(EventView {
                at: e.at,
                from: e.from_status.as_deref().and_then(Status::parse),
                to: parse_status(&e.to_status)?,
                actor: e
                    .actor_user_id
                    .and_then(|id| names.get(&id).cloned())
                    .unwrap_or_else(|| "Systemet".to_owned()),
                note: e.note.unwrap_or_default(),
            })
        })
        .collect()
}

/// What a list shows.
#[derive(Clone, Debug, Default)]
pub struct Filter {
    pub status: Option<Status>,
    /// deliver_by from and to (inclusive).
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub area_id: Option<i32>,
    pub source: Option<Source>,
    /// Only this orderer's orders (coordinators and therapists see their own).
    pub ordered_by: Option<i32>,
    pub limit: u64,
    /// Rows skipped first (the pages' "next page").
    pub offset: u64,
}

pub async fn list(db: &impl ConnectionTrait, filter: &Filter) -> Result<Vec<OrderView>, AppError> {
    let mut query = order::Entity::find();
    if let Some(status) = filter.status {
        query = query.filter(order::Column::Status.eq(status.as_str()));
    }
    if let Some(from) = filter.from {
        query = query.filter(order::Column::DeliverBy.gte(from));
    }
    if let Some(to) = filter.to {
        query = query.filter(order::Column::DeliverBy.lte(to));
    }
    if let Some(source) = filter.source {
        query = query.filter(order::Column::Source.eq(source.as_str()));
    }
    if let Some(user_id) = filter.ordered_by {
        query = query.filter(order::Column::OrderedBy.eq(user_id));
    }
    if let Some(area_id) = filter.area_id {
        let postal_codes = Query::select()
            .column(area_postcode::Column::PostalCode)
            .from(area_postcode::Entity)
            .and_where(Expr::col(area_postcode::Column::AreaId).eq(area_id))
            .to_owned();
        let addresses = Query::select()
            .column(address::Column::Id)
            .from(address::Entity)
            .and_where(Expr::col(address::Column::PostalCode).in_subquery(postal_codes))
            .to_owned();
        query = query.filter(Expr::col(order::Column::AddressId).in_subquery(addresses));
    }
    let limit = if filter.limit == 0 {
        200
    } else {
        Ord::min(filter.limit, 1000)
    };
    let rows = query
        .order_by_asc(order::Column::DeliverBy)
        .order_by_asc(order::Column::Id)
        .limit(limit)
        .offset(filter.offset)
        .all(db)
        .await?;
    views(db, rows).await
}

// ---------------------------------------------------------------- status changes

/// Moves an order to `to` if the machine allows it from its current status (409
/// otherwise, also when someone else changed it meanwhile), records who and
/// when, and — for a delivery marked delivered — starts the loans. Run it in
/// the caller's transaction.
pub async fn change_status(
    db: &impl ConnectionTrait,
    order_id: i32,
    to: Status,
    actor: Option<i32>,
    note: Option<String>,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<order::Model, AppError> {
    apply(db, order_id, to, None, actor, note, today, now).await
}

/// Puts an order on a stop of a run (confirmed → planned).
pub async fn plan(
    db: &impl ConnectionTrait,
    order_id: i32,
    stop_id: i32,
    actor: Option<i32>,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<order::Model, AppError> {
    apply(
        db,
        order_id,
        Status::Planned,
        Some(Some(stop_id)),
        actor,
        None,
        today,
        now,
    )
    .await
}

/// Takes an order off its run again (planned → confirmed).
pub async fn unplan(
    db: &impl ConnectionTrait,
    order_id: i32,
    actor: Option<i32>,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<order::Model, AppError> {
    apply(
        db,
        order_id,
        Status::Confirmed,
        Some(None),
        actor,
        None,
        today,
        now,
    )
    .await
}

/// Marks an order delivered (the driver's stop, or a self-pickup collected) and
/// starts its loans, one per unit, in the caller's transaction. A planned order
/// passes through "out for delivery" first (the run left without anyone saying
/// so). Returns the order.
pub async fn mark_delivered(
    txn: &impl ConnectionTrait,
    order_id: i32,
    actor: Option<i32>,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<order::Model, AppError> {
    let current = find(txn, order_id).await?;
    if parse_status(&current.status)? == Status::Planned {
        apply(
            txn,
            order_id,
            Status::OutForDelivery,
            None,
            actor,
            None,
            today,
            now,
        )
        .await?;
    }
    apply(
        txn,
        order_id,
        Status::Delivered,
        None,
        actor,
        None,
        today,
        now,
    )
    .await
}

#[allow(clippy::too_many_arguments)]
async fn apply(
    db: &impl ConnectionTrait,
    order_id: i32,
    to: Status,
    stop: Option<Option<i32>>,
    actor: Option<i32>,
    note: Option<String>,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<order::Model, AppError> {
    let current = find(db, order_id).await?;
    let from = parse_status(&current.status)?;
    let mode = DeliveryMode::parse(&current.delivery_mode).unwrap_or(DeliveryMode::Delivery);
    transition(from, to, mode).map_err(|e| AppError::Conflict(e.to_string()))?;
    // Only if nobody changed it since it was read: two clicks never give two changes.
    let mut update = order::Entity::update_many()
        .col_expr(order::Column::Status, Expr::value(to.as_str()))
        .col_expr(order::Column::UpdatedAt, Expr::value(now));
    if matches!(to, Status::Delivered | Status::Failed | Status::Cancelled) {
        update = update.col_expr(order::Column::CompletedAt, Expr::value(Some(now)));
    }
    if let Some(stop_id) = stop {
        update = update.col_expr(order::Column::StopId, Expr::value(stop_id));
    }
    let done = update
        .filter(order::Column::Id.eq(order_id))
        .filter(order::Column::Status.eq(from.as_str()))
        .exec(db)
        .await?;
    if done.rows_affected != 1 {
        return Err(AppError::Conflict(
            "Ordren er lige blevet ændret af en anden. Genindlæs og prøv igen.".to_owned(),
        ));
    }
    record_event(db, order_id, Some(from), to, actor, note, now).await?;
    if to == Status::Delivered && current.kind == Kind::Delivery.as_str() {
        start_loans(db, &current, actor, today, now).await?;
    }
    find(db, order_id).await
}

/// One loan per unit of each line, from the delivery date, in the area of the
/// delivery address.
async fn start_loans(
    db: &impl ConnectionTrait,
    order: &order::Model,
    actor: Option<i32>,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let address = address::Entity::find_by_id(order.address_id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::Internal(format!("order {} without address", order.id)))?;
    let area = area_postcode::Entity::find_by_id(address.postal_code.clone())
        .one(db)
        .await?
        .ok_or_else(|| {
            AppError::Conflict(
                "Adressens postnummer hører ikke længere til et område; lånet kan ikke oprettes."
                    .to_owned(),
            )
        })?;
    let basis = LegalBasis::parse(&order.legal_basis).unwrap_or(LegalBasis::Sundhedsloven140);
    let lines = order_line::Entity::find()
        .filter(order_line::Column::OrderId.eq(order.id))
        .order_by_asc(order_line::Column::Id)
        .all(db)
        .await?;
    for line in lines {
        for n in 0..Ord::max(line.quantity, 0) {
            create_loan(
                db,
                NewLoan {
                    citizen_id: order.citizen_id,
                    product_id: line.product_id,
                    unit_id: if n == 0 { line.unit_id } else { None },
                    order_id: Some(order.id),
                    area_id: area.area_id,
                    legal_basis: basis,
                    start_date: today,
                    due_date: None,
                    actor_user_id: actor,
                    event: "created",
                },
                now,
            )
            .await?;
        }
    }
    Ok(())
}

// ---------------------------------------------------------------- delivery runs

/// A stop could not be delivered (the driver's "failed"): the order goes back
/// to planning — confirmed and off its stop — through "failed" when it was out
/// for delivery, with the reason as the event's note. Run it in the caller's
/// transaction. (Used by `crate::delivery::complete`.)
pub async fn return_to_planning(
    db: &impl ConnectionTrait,
    order_id: i32,
    actor: Option<i32>,
    note: String,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<order::Model, AppError> {
    let current = find(db, order_id).await?;
    let back = Some("Tilbage til planlægning".to_owned());
    match parse_status(&current.status)? {
        Status::OutForDelivery => {
            apply(
                db,
                order_id,
                Status::Failed,
                None,
                actor,
                Some(note),
                today,
                now,
            )
            .await?;
            apply(
                db,
                order_id,
                Status::Confirmed,
                Some(None),
                actor,
                back,
                today,
                now,
            )
            .await
        }
        Status::Planned => {
            apply(
                db,
                order_id,
                Status::Confirmed,
                Some(None),
                actor,
                Some(note),
                today,
                now,
            )
            .await
        }
        other => Err(AppError::Conflict(format!(
            "Ordre {order_id} er «{}» og kan ikke sendes tilbage til planlægning.",
            other.label()
        ))),
    }
}
