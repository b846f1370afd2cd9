//! Loans in the database.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use entity::{
    area, citizen, loan, loan_event, order, order_event, order_line, overdue_snapshot, product,
    unit,
};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, IntoActiveModel,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set, Statement,
};

use super::{Action, AgeBand, Bands, LegalBasis, Status, check_action, due_date};
use crate::error::AppError;

/// A loan to start (from a delivered order, a Kvik hand-out or an import).
#[derive(Clone, Debug)]
pub struct NewLoan {
    pub citizen_id: i32,
    pub product_id: i32,
    pub unit_id: Option<i32>,
    pub order_id: Option<i32>,
    pub area_id: i32,
    pub legal_basis: LegalBasis,
    pub start_date: NaiveDate,
    /// None: computed from the legal basis. Some: given (imports keep their dates).
    pub due_date: Option<Option<NaiveDate>>,
    pub actor_user_id: Option<i32>,
    /// The event recorded: "created" or "imported".
    pub event: &'static str,
}

/// Starts a loan and records its first event. Call within the caller's transaction.
pub async fn create_loan(
    db: &impl ConnectionTrait,
    new: NewLoan,
    now: DateTime<Utc>,
) -> Result<loan::Model, AppError> {
    let due = new
        .due_date
        .unwrap_or_else(|| due_date(new.start_date, new.legal_basis));
    let saved = loan::ActiveModel {
        citizen_id: Set(new.citizen_id),
        product_id: Set(new.product_id),
        unit_id: Set(new.unit_id),
        order_id: Set(new.order_id),
        area_id: Set(new.area_id),
        legal_basis: Set(new.legal_basis.as_str().to_owned()),
        start_date: Set(new.start_date),
        due_date: Set(due),
        status: Set("active".to_owned()),
        returned_on: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?;
    loan_event::ActiveModel {
        loan_id: Set(saved.id),
        at: Set(now),
        actor_user_id: Set(new.actor_user_id),
        kind: Set(new.event.to_owned()),
        old_due: Set(None),
        new_due: Set(due),
        note: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(saved)
}

// ---------------------------------------------------------------- reading

/// Which loans a list shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StatusFilter {
    /// Every loan still with the citizen (active, overdue, collection requested).
    Open,
    /// Active and past the due date.
    Overdue,
    Returned,
    All,
}

impl StatusFilter {
    pub fn parse(raw: &str) -> Option<Self> {
        match raw.trim() {
            "" | "active" | "open" => Some(Self::Open),
            "overdue" => Some(Self::Overdue),
            "returned" => Some(Self::Returned),
            "all" => Some(Self::All),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "active",
            Self::Overdue => "overdue",
            Self::Returned => "returned",
            Self::All => "all",
        }
    }
}

/// What to list; `limit` rows from `offset`.
#[derive(Clone, Debug)]
pub struct LoanQuery {
    pub status: StatusFilter,
    pub area_id: Option<i32>,
    pub citizen_id: Option<i32>,
    pub limit: u64,
    pub offset: u64,
}

/// A loan as lists show it: masked CPR only.
#[derive(Clone, Debug)]
pub struct LoanRow {
    pub id: i32,
    pub citizen_id: i32,
    pub citizen_name: String,
    pub cpr_masked: String,
    pub product_code: String,
    pub product_name: String,
    pub legal_basis: String,
    pub start_date: NaiveDate,
    pub due_date: Option<NaiveDate>,
    pub days_overdue: i64,
    pub area_code: String,
    pub area_name: String,
    /// active, overdue, collection_requested or returned
    pub status: &'static str,
    pub returned_on: Option<NaiveDate>,
    pub order_id: Option<i32>,
}

impl LoanRow {
    pub fn status_label(&self) -> &'static str {
        super::status_label(self.status)
    }

    pub fn basis_label(&self) -> &'static str {
        match LegalBasis::parse(&self.legal_basis) {
            Some(LegalBasis::Serviceloven112) => "§112",
            _ => "§140",
        }
    }

    pub fn is_overdue(&self) -> bool {
        self.status == "overdue"
    }

    pub fn is_open(&self) -> bool {
        self.status != "returned"
    }

    pub fn start_text(&self) -> String {
        crate::web::local_date(self.start_date)
    }

    pub fn returned_text(&self) -> String {
        self.returned_on
            .map(crate::web::local_date)
            .unwrap_or_default()
    }

    pub fn due_text(&self) -> String {
        self.due_date
            .map(crate::web::local_date)
            .unwrap_or_else(|| "Ingen (varigt)".to_owned())
    }
}

fn condition(query: &LoanQuery, today: NaiveDate) -> Condition {
    let mut cond = Condition::all();
    cond = match query.status {
        StatusFilter::Open => cond.add(loan::Column::Status.is_in([
            Status::Active.as_str(),
            Status::CollectionRequested.as_str(),
        ])),
        // Exactly the shape of the index (status, area_id, due_date).
        StatusFilter::Overdue => cond
            .add(loan::Column::Status.eq(Status::Active.as_str()))
            .add(loan::Column::DueDate.lt(today)),
        StatusFilter::Returned => cond.add(loan::Column::Status.eq(Status::Returned.as_str())),
        StatusFilter::All => cond,
    };
    if let Some(area) = query.area_id {
        cond = cond.add(loan::Column::AreaId.eq(area));
    }
    if let Some(citizen) = query.citizen_id {
        cond = cond.add(loan::Column::CitizenId.eq(citizen));
    }
    cond
}

/// How many loans match (the overdue count runs on the index alone).
pub async fn count(
    db: &impl ConnectionTrait,
    query: &LoanQuery,
    today: NaiveDate,
) -> Result<u64, AppError> {
    Ok(loan::Entity::find()
        .filter(condition(query, today))
        .count(db)
        .await?)
}

/// One page of loans: the earliest due date first (so overdue loans lead),
/// lasting §112 loans last; returned loans newest first.
pub async fn list(
    db: &impl ConnectionTrait,
    query: &LoanQuery,
    today: NaiveDate,
) -> Result<Vec<LoanRow>, AppError> {
    let mut select = loan::Entity::find().filter(condition(query, today));
    select = match query.status {
        StatusFilter::Overdue => select.order_by_asc(loan::Column::DueDate),
        StatusFilter::Returned => select.order_by_desc(loan::Column::ReturnedOn),
        _ => select
            .order_by_asc(Expr::col(loan::Column::DueDate).is_null())
            .order_by_asc(loan::Column::DueDate),
    };
    let loans = select
        .order_by_asc(loan::Column::Id)
        .limit(query.limit)
        .offset(query.offset)
        .all(db)
        .await?;
    rows(db, loans, today).await
}

/// Names, masked CPR numbers, products and areas for a set of loans.
pub async fn rows(
    db: &impl ConnectionTrait,
    loans: Vec<loan::Model>,
    today: NaiveDate,
) -> Result<Vec<LoanRow>, AppError> {
    let citizen_ids: Vec<i32> = loans.iter().map(|l| l.citizen_id).collect();
    let product_ids: Vec<i32> = loans.iter().map(|l| l.product_id).collect();
    let citizens =
        crate::db::rows_by::<citizen::Entity, _>(db, citizen::Column::Id, citizen_ids, |c| c.id)
            .await?;
    let products =
        crate::db::rows_by::<product::Entity, _>(db, product::Column::Id, product_ids, |p| p.id)
            .await?;
    let areas: HashMap<i32, area::Model> = area::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|a| (a.id, a))
        .collect();
    Ok(loans
        .into_iter()
        .map(|l| {
            let citizen = citizens.get(&l.citizen_id);
            let product = products.get(&l.product_id);
            let area = areas.get(&l.area_id);
            LoanRow {
                id: l.id,
                citizen_id: l.citizen_id,
                citizen_name: citizen.map(|c| c.name.clone()).unwrap_or_default(),
                cpr_masked: citizen
                    .map(|c| crate::citizens::mask_cpr(&c.cpr))
                    .unwrap_or_default(),
                product_code: product.map(|p| p.code.clone()).unwrap_or_default(),
                product_name: product.map(|p| p.name.clone()).unwrap_or_default(),
                days_overdue: if super::is_overdue(&l.status, l.due_date, today) {
                    super::days_overdue(l.due_date, today)
                } else {
                    0
                },
                status: super::shown_status(&l.status, l.due_date, today),
                legal_basis: l.legal_basis,
                start_date: l.start_date,
                due_date: l.due_date,
                area_code: area.map(|a| a.code.clone()).unwrap_or_default(),
                area_name: area.map(|a| a.name.clone()).unwrap_or_default(),
                returned_on: l.returned_on,
                order_id: l.order_id,
            }
        })
        .collect())
}

/// Every loan of a citizen: open ones first, then returned.
pub async fn citizen_loans(
    db: &impl ConnectionTrait,
    citizen_id: i32,
    today: NaiveDate,
) -> Result<Vec<LoanRow>, AppError> {
    let loans = loan::Entity::find()
        .filter(loan::Column::CitizenId.eq(citizen_id))
        .order_by_asc(Expr::col(loan::Column::Status).eq(Status::Returned.as_str()))
        .order_by_desc(loan::Column::StartDate)
        .order_by_desc(loan::Column::Id)
        .limit(500)
        .all(db)
        .await?;
    rows(db, loans, today).await
}

pub async fn find(db: &impl ConnectionTrait, id: i32) -> Result<loan::Model, AppError> {
    loan::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)
}

/// The area with this code; an unknown code is a field error on `area`.
pub async fn area_by_code(db: &impl ConnectionTrait, code: &str) -> Result<area::Model, AppError> {
    area::Entity::find()
        .filter(area::Column::Code.eq(code.trim()))
        .one(db)
        .await?
        .ok_or_else(|| AppError::field("area", "Ukendt område"))
}

pub async fn all_areas(db: &impl ConnectionTrait) -> Result<Vec<area::Model>, AppError> {
    Ok(area::Entity::find()
        .order_by_asc(area::Column::Id)
        .all(db)
        .await?)
}

/// Count and age bands of an area's overdue loans, counted in the database on
/// the index (status, area_id, due_date): one range per band.
pub async fn overdue_bands(
    db: &impl ConnectionTrait,
    area_id: i32,
    today: NaiveDate,
) -> Result<Bands, AppError> {
    let mut bands = Bands::default();
    for band in AgeBand::ALL {
        let (from, to) = band.due_range(today);
        let mut select = loan::Entity::find()
            .filter(loan::Column::Status.eq(Status::Active.as_str()))
            .filter(loan::Column::AreaId.eq(area_id))
            .filter(loan::Column::DueDate.lte(to));
        if let Some(from) = from {
            select = select.filter(loan::Column::DueDate.gte(from));
        }
        let n = i64::try_from(select.count(db).await?).unwrap_or(i64::MAX);
        match band {
            AgeBand::Days1To30 => bands.band_1_30 = n,
            AgeBand::Days31To90 => bands.band_31_90 = n,
            AgeBand::Days91To180 => bands.band_91_180 = n,
            AgeBand::Over180 => bands.band_over_180 = n,
        }
        bands.count += n;
    }
    Ok(bands)
}

/// Whether an area has any loan at all (an area without loans keeps no statistic).
pub async fn area_has_loans(db: &impl ConnectionTrait, area_id: i32) -> Result<bool, AppError> {
    Ok(loan::Entity::find()
        .filter(loan::Column::AreaId.eq(area_id))
        .one(db)
        .await?
        .is_some())
}

/// Every snapshot, oldest first.
pub async fn snapshots(
    db: &impl ConnectionTrait,
) -> Result<Vec<overdue_snapshot::Model>, AppError> {
    Ok(overdue_snapshot::Entity::find()
        .order_by_asc(overdue_snapshot::Column::TakenAt)
        .order_by_asc(overdue_snapshot::Column::AreaId)
        .all(db)
        .await?)
}

/// Loans started and ended in each of the given months (first day of each
/// month), counted in one pass: [(month, started, ended)].
pub async fn started_and_ended(
    db: &impl ConnectionTrait,
    months: &[NaiveDate],
) -> Result<Vec<(NaiveDate, i64, i64)>, AppError> {
    let (Some(first), Some(last)) = (months.first(), months.last()) else {
        return Ok(Vec::new());
    };
    let end = *last + chrono::Months::new(1);
    // Dates are our own values formatted here, never user input.
    let mut columns = Vec::new();
    for (i, month) in months.iter().enumerate() {
        let next = *month + chrono::Months::new(1);
        columns.push(format!(
            "SUM(CASE WHEN start_date >= '{month}' AND start_date < '{next}' THEN 1 ELSE 0 END) AS s{i}, \
             SUM(CASE WHEN returned_on >= '{month}' AND returned_on < '{next}' THEN 1 ELSE 0 END) AS e{i}"
        ));
    }
    let sql = format!(
        "SELECT {} FROM loan WHERE (start_date >= '{first}' AND start_date < '{end}') \
         OR (returned_on >= '{first}' AND returned_on < '{end}')",
        columns.join(", ")
    );
    let backend = db.get_database_backend();
    let row = db
        .query_one_raw(Statement::from_string(backend, sql))
        .await?;
    let get = |name: &str| -> i64 {
        row.as_ref()
            .and_then(|r| r.try_get::<Option<i64>>("", name).ok().flatten())
            .unwrap_or(0)
    };
    Ok(months
        .iter()
        .enumerate()
        .map(|(i, m)| (*m, get(&format!("s{i}")), get(&format!("e{i}"))))
        .collect())
}

// ---------------------------------------------------------------- changes

async fn event(
    db: &impl ConnectionTrait,
    loan_id: i32,
    kind: &str,
    (old_due, new_due): (Option<NaiveDate>, Option<NaiveDate>),
    note: Option<String>,
    actor: Option<i32>,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    loan_event::ActiveModel {
        loan_id: Set(loan_id),
        at: Set(now),
        actor_user_id: Set(actor),
        kind: Set(kind.to_owned()),
        old_due: Set(old_due),
        new_due: Set(new_due),
        note: Set(note),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}

/// On SQLite, takes the write lock at the start of a transaction (a write that
/// changes nothing), so a transaction that reads before it writes waits for
/// other writers instead of failing when it turns into a writer. PostgreSQL
/// locks rows instead.
pub async fn write_lock(db: &impl ConnectionTrait) -> Result<(), AppError> {
    if db.get_database_backend() == sea_orm::DatabaseBackend::Sqlite {
        db.execute_unprepared("UPDATE loan SET id = id WHERE id < 0")
            .await?;
    }
    Ok(())
}

/// Locks the loan for a change (PostgreSQL: FOR UPDATE) and checks its state
/// allows the action: 404 when missing, 409 when the state forbids it.
pub async fn for_change(
    db: &impl ConnectionTrait,
    id: i32,
    action: Action,
) -> Result<loan::Model, AppError> {
    write_lock(db).await?;
    let mut select = loan::Entity::find_by_id(id);
    if db.get_database_backend() == sea_orm::DatabaseBackend::Postgres {
        select = select.lock_exclusive();
    }
    let found = select.one(db).await?.ok_or(AppError::NotFound)?;
    check_action(&found.status, action).map_err(|m| AppError::Conflict(m.to_owned()))?;
    Ok(found)
}

/// A new due date with its reason. Call within a transaction.
pub async fn extend(
    db: &impl ConnectionTrait,
    found: loan::Model,
    until: NaiveDate,
    reason: String,
    actor: i32,
    now: DateTime<Utc>,
) -> Result<loan::Model, AppError> {
    let old = found.due_date;
    let id = found.id;
    let mut active = found.into_active_model();
    active.due_date = Set(Some(until));
    active.updated_at = Set(now);
    let saved = active.update(db).await?;
    event(
        db,
        id,
        "extended",
        (old, Some(until)),
        Some(reason),
        Some(actor),
        now,
    )
    .await?;
    Ok(saved)
}

/// Converts a §140 loan to a lasting §112 grant: no due date any more.
pub async fn convert(
    db: &impl ConnectionTrait,
    found: loan::Model,
    reason: String,
    actor: i32,
    now: DateTime<Utc>,
) -> Result<loan::Model, AppError> {
    let old = found.due_date;
    let id = found.id;
    let mut active = found.into_active_model();
    active.legal_basis = Set(LegalBasis::Serviceloven112.as_str().to_owned());
    active.due_date = Set(None);
    active.updated_at = Set(now);
    let saved = active.update(db).await?;
    event(
        db,
        id,
        "converted",
        (old, None),
        Some(reason),
        Some(actor),
        now,
    )
    .await?;
    Ok(saved)
}

/// Asks the depot to collect the aid: a pickup order to the citizen's address,
/// wanted within a week; the loan is flagged. Returns the order id.
pub async fn request_collection(
    db: &impl ConnectionTrait,
    found: loan::Model,
    actor: &crate::auth::Principal,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<i32, AppError> {
    let citizen = citizen::Entity::find_by_id(found.citizen_id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let Some(address_id) = citizen.address_id else {
        return Err(AppError::Conflict(
            "Borgeren har ingen adresse; ret borgerens oplysninger først.".to_owned(),
        ));
    };
    let source = if actor.role == crate::auth::Role::Therapist {
        "therapist"
    } else {
        "depot"
    };
    let order = order::ActiveModel {
        kind: Set("pickup".to_owned()),
        source: Set(source.to_owned()),
        citizen_id: Set(citizen.id),
        address_id: Set(address_id),
        discharge_at: Set(None),
        deliver_by: Set(Some(today + chrono::Duration::days(7))),
        delivery_mode: Set("delivery".to_owned()),
        legal_basis: Set(found.legal_basis.clone()),
        status: Set("received".to_owned()),
        access_notes: Set(None),
        contact_phone: Set(None),
        notes: Set(Some(format!(
            "Afhentning af udlånt hjælpemiddel (lån {})",
            found.id
        ))),
        ordered_by: Set(actor.user_id),
        idempotency_key: Set(None),
        request_hash: Set(None),
        loan_id: Set(Some(found.id)),
        stop_id: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        completed_at: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await?;
    order_line::ActiveModel {
        order_id: Set(order.id),
        product_id: Set(found.product_id),
        quantity: Set(1),
        unit_id: Set(found.unit_id),
        ..Default::default()
    }
    .insert(db)
    .await?;
    order_event::ActiveModel {
        order_id: Set(order.id),
        at: Set(now),
        actor_user_id: Set(Some(actor.user_id)),
        from_status: Set(None),
        to_status: Set("received".to_owned()),
        note: Set(Some(format!("Afhentning bestilt fra lån {}", found.id))),
        ..Default::default()
    }
    .insert(db)
    .await?;
    let id = found.id;
    let due = found.due_date;
    let mut active = found.into_active_model();
    active.status = Set(Status::CollectionRequested.as_str().to_owned());
    active.updated_at = Set(now);
    active.update(db).await?;
    event(
        db,
        id,
        "collection_requested",
        (due, due),
        Some(format!("ordre {}", order.id)),
        Some(actor.user_id),
        now,
    )
    .await?;
    Ok(order.id)
}

/// The aid came back: the loan is closed and its unit goes to cleaning.
pub async fn mark_returned(
    db: &impl ConnectionTrait,
    found: loan::Model,
    on: NaiveDate,
    actor: Option<i32>,
    now: DateTime<Utc>,
) -> Result<loan::Model, AppError> {
    let id = found.id;
    let due = found.due_date;
    let unit_id = found.unit_id;
    let mut active = found.into_active_model();
    active.status = Set(Status::Returned.as_str().to_owned());
    active.returned_on = Set(Some(on));
    active.updated_at = Set(now);
    let saved = active.update(db).await?;
    if let Some(unit_id) = unit_id
        && let Some(unit) = unit::Entity::find_by_id(unit_id).one(db).await?
    {
        let mut unit = unit.into_active_model();
        unit.status = Set("cleaning".to_owned());
        unit.updated_at = Set(now);
        unit.update(db).await?;
    }
    event(
        db,
        id,
        "returned",
        (due, None),
        Some(format!("afleveret {on}")),
        actor,
        now,
    )
    .await?;
    Ok(saved)
}
