//! Gathering all data about a citizen, and deleting it when its time has come.

use chrono::{DateTime, NaiveDate, Utc};
use entity::{
    address, audit_event, citizen, kvik_booking, loan, loan_event, order, order_event, order_line,
    product, run, stop, stop_order, user,
};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};
use serde::Serialize;

use super::{CLOSED_ORDER_STATUSES, may_delete};
use crate::error::AppError;

/// Everything the depot holds about one citizen.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Insight {
    pub citizen: CitizenData,
    pub address: Option<String>,
    pub orders: Vec<OrderData>,
    pub loans: Vec<LoanData>,
    pub kvik_visits: Vec<KvikData>,
    /// The stops of delivery runs that brought or fetched the citizen's aids, with
    /// the receiver's name and the driver's note.
    pub deliveries: Vec<DeliveryData>,
    /// Who looked up or changed the record, when and why (the action).
    pub access_log: Vec<AccessData>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CitizenData {
    pub cpr: String,
    pub name: String,
    pub phone: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct OrderData {
    pub id: i32,
    pub kind: String,
    pub source: String,
    pub status: String,
    pub address: String,
    pub discharge_at: Option<DateTime<Utc>>,
    pub deliver_by: Option<NaiveDate>,
    pub legal_basis: String,
    pub access_notes: Option<String>,
    pub notes: Option<String>,
    pub aids: Vec<String>,
    pub created_at: DateTime<Utc>,
    pub history: Vec<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct LoanData {
    pub id: i32,
    pub aid: String,
    pub legal_basis: String,
    pub start_date: NaiveDate,
    pub due_date: Option<NaiveDate>,
    pub status: String,
    pub returned_on: Option<NaiveDate>,
    pub history: Vec<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct KvikData {
    pub id: i32,
    pub at: Option<DateTime<Utc>>,
    pub need: String,
    pub outcome: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DeliveryData {
    /// The run's date.
    pub date: NaiveDate,
    /// The citizen's orders served at this stop.
    pub orders: Vec<i32>,
    pub address: String,
    pub status: String,
    pub eta: Option<DateTime<Utc>>,
    pub completed_at: Option<DateTime<Utc>>,
    pub receiver_name: Option<String>,
    pub note: Option<String>,
    pub failure_reason: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AccessData {
    pub at: DateTime<Utc>,
    /// What was done: citizen.view, citizen.update, citizen.insight ...
    pub action: String,
    pub by: String,
    pub role: Option<String>,
    pub detail: String,
}

fn one_line(a: &address::Model) -> String {
    crate::domain::format_address(
        &a.street,
        &a.house_number,
        a.floor.as_deref(),
        a.door.as_deref(),
        &a.postal_code,
        &a.city,
    )
}

pub async fn insight(db: &impl ConnectionTrait, citizen_id: i32) -> Result<Insight, AppError> {
    let person = citizen::Entity::find_by_id(citizen_id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let home = match person.address_id {
        Some(id) => address::Entity::find_by_id(id)
            .one(db)
            .await?
            .map(|a| one_line(&a)),
        None => None,
    };
    let products: std::collections::HashMap<i32, String> = product::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|p| (p.id, format!("{} ({})", p.name, p.code)))
        .collect();
    let aid = |id: i32| {
        products
            .get(&id)
            .cloned()
            .unwrap_or_else(|| format!("hjælpemiddel {id}"))
    };

    let mut orders = Vec::new();
    for o in order::Entity::find()
        .filter(order::Column::CitizenId.eq(citizen_id))
        .order_by_asc(order::Column::Id)
        .all(db)
        .await?
    {
        let place = address::Entity::find_by_id(o.address_id)
            .one(db)
            .await?
            .map(|a| one_line(&a))
            .unwrap_or_default();
        let aids = order_line::Entity::find()
            .filter(order_line::Column::OrderId.eq(o.id))
            .all(db)
            .await?
            .into_iter()
            .map(|l| format!("{} × {}", l.quantity, aid(l.product_id)))
            .collect();
        let history = order_event::Entity::find()
            .filter(order_event::Column::OrderId.eq(o.id))
            .order_by_asc(order_event::Column::Id)
            .all(db)
            .await?
            .into_iter()
            .map(|e| format!("{}: {}", e.at.to_rfc3339(), e.to_status))
            .collect();
        orders.push(OrderData {
            id: o.id,
            kind: o.kind,
            source: o.source,
            status: o.status,
            address: place,
            discharge_at: o.discharge_at,
            deliver_by: o.deliver_by,
            legal_basis: o.legal_basis,
            access_notes: o.access_notes,
            notes: o.notes,
            aids,
            created_at: o.created_at,
            history,
        });
    }

    let mut loans = Vec::new();
    let loan_rows = loan::Entity::find()
        .filter(loan::Column::CitizenId.eq(citizen_id))
        .order_by_asc(loan::Column::Id)
        .all(db)
        .await?;
    let loan_ids: Vec<i32> = loan_rows.iter().map(|l| l.id).collect();
    for l in loan_rows {
        let history = loan_event::Entity::find()
            .filter(loan_event::Column::LoanId.eq(l.id))
            .order_by_asc(loan_event::Column::Id)
            .all(db)
            .await?
            .into_iter()
            .map(|e| {
                format!(
                    "{}: {}{}",
                    e.at.to_rfc3339(),
                    e.kind,
                    e.note.map(|n| format!(" ({n})")).unwrap_or_default()
                )
            })
            .collect();
        loans.push(LoanData {
            id: l.id,
            aid: aid(l.product_id),
            legal_basis: l.legal_basis,
            start_date: l.start_date,
            due_date: l.due_date,
            status: l.status,
            returned_on: l.returned_on,
            history,
        });
    }

    let order_ids: Vec<i32> = orders.iter().map(|o: &OrderData| o.id).collect();
    let deliveries = deliveries(db, &order_ids).await?;

    let kvik_visits = kvik_booking::Entity::find()
        .filter(kvik_booking::Column::LoanId.is_in(loan_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|k| KvikData {
            id: k.id,
            at: k.slot_start.or(k.arrived_at),
            need: k.need,
            outcome: k.outcome,
        })
        .collect();

    let users: std::collections::HashMap<i32, String> = user::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.id, u.name))
        .collect();
    let access_log = audit_event::Entity::find()
        .filter(audit_event::Column::CitizenId.eq(citizen_id))
        .order_by_asc(audit_event::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|e| AccessData {
            at: e.at,
            action: e.action,
            by: e
                .actor_user_id
                .and_then(|id| users.get(&id).cloned())
                .unwrap_or_else(|| "systemet".to_owned()),
            role: e.actor_role,
            detail: e.detail,
        })
        .collect();

    Ok(Insight {
        citizen: CitizenData {
            cpr: person.cpr,
            name: person.name,
            phone: person.phone,
            created_at: person.created_at,
            updated_at: person.updated_at,
        },
        address: home,
        orders,
        loans,
        kvik_visits,
        deliveries,
        access_log,
    })
}

/// The stops that served these orders, oldest first.
async fn deliveries(
    db: &impl ConnectionTrait,
    order_ids: &[i32],
) -> Result<Vec<DeliveryData>, AppError> {
    let links = stop_order::Entity::find()
        .filter(stop_order::Column::OrderId.is_in(order_ids.to_vec()))
        .order_by_asc(stop_order::Column::Id)
        .all(db)
        .await?;
    let mut served: std::collections::BTreeMap<i32, Vec<i32>> = Default::default();
    for link in links {
        served.entry(link.stop_id).or_default().push(link.order_id);
    }
    let mut out = Vec::new();
    for (stop_id, orders) in served {
        let Some(s) = stop::Entity::find_by_id(stop_id).one(db).await? else {
            continue;
        };
        let Some(r) = run::Entity::find_by_id(s.run_id).one(db).await? else {
            continue;
        };
        let address = address::Entity::find_by_id(s.address_id)
            .one(db)
            .await?
            .map(|a| one_line(&a))
            .unwrap_or_default();
        out.push(DeliveryData {
            date: r.date,
            orders,
            address,
            status: s.status,
            eta: s.eta,
            completed_at: s.completed_at,
            receiver_name: s.receiver_name,
            note: s.note,
            failure_reason: s.failure_reason,
        });
    }
    out.sort_by_key(|d| d.date);
    Ok(out)
}

/// Removes the links from stops to deleted orders, and each stop left serving no
/// order at all (its receiver's name and note are the citizen's data; the run keeps
/// its distance and duration for the statistics). Returns the stops' addresses.
async fn delete_stops_of(
    txn: &impl ConnectionTrait,
    order_ids: &[i32],
) -> Result<Vec<i32>, AppError> {
    let links = stop_order::Entity::find()
        .filter(stop_order::Column::OrderId.is_in(order_ids.to_vec()))
        .all(txn)
        .await?;
    let mut stop_ids: Vec<i32> = links.iter().map(|l| l.stop_id).collect();
    stop_ids.sort_unstable();
    stop_ids.dedup();
    stop_order::Entity::delete_many()
        .filter(stop_order::Column::OrderId.is_in(order_ids.to_vec()))
        .exec(txn)
        .await?;
    order::Entity::update_many()
        .col_expr(order::Column::StopId, Expr::value(Option::<i32>::None))
        .filter(order::Column::Id.is_in(order_ids.to_vec()))
        .exec(txn)
        .await?;
    let mut addresses = Vec::new();
    for stop_id in stop_ids {
        let still_used = stop_order::Entity::find()
            .filter(stop_order::Column::StopId.eq(stop_id))
            .count(txn)
            .await?
            + order::Entity::find()
                .filter(order::Column::StopId.eq(stop_id))
                .count(txn)
                .await?;
        if still_used > 0 {
            continue;
        }
        if let Some(s) = stop::Entity::find_by_id(stop_id).one(txn).await? {
            addresses.push(s.address_id);
            stop::Entity::delete_by_id(stop_id).exec(txn).await?;
        }
    }
    Ok(addresses)
}

/// Deletes every citizen whose retention period has passed (see `may_delete`),
/// with their closed orders and returned loans, and Kvik bookings older than the
/// period. Audit entries stay, without the link to the person. Returns how many
/// citizens were deleted.
pub async fn delete_expired(
    db: &sea_orm::DatabaseConnection,
    now: DateTime<Utc>,
    retention_days: i64,
) -> Result<u64, AppError> {
    let mut deleted = 0;
    for person in citizen::Entity::find().all(db).await? {
        let orders = order::Entity::find()
            .filter(order::Column::CitizenId.eq(person.id))
            .all(db)
            .await?;
        let loans = loan::Entity::find()
            .filter(loan::Column::CitizenId.eq(person.id))
            .all(db)
            .await?;
        let open = orders
            .iter()
            .any(|o| !CLOSED_ORDER_STATUSES.contains(&o.status.as_str()))
            || loans.iter().any(|l| l.status != "returned");
        let last = orders
            .iter()
            .map(|o| o.updated_at)
            .chain(loans.iter().map(|l| l.updated_at))
            .fold(person.updated_at, DateTime::max);
        if !may_delete(open, last, now, retention_days) {
            continue;
        }
        let txn = crate::db::begin_write(db).await?;
        let order_ids: Vec<i32> = orders.iter().map(|o| o.id).collect();
        let loan_ids: Vec<i32> = loans.iter().map(|l| l.id).collect();
        order_event::Entity::delete_many()
            .filter(order_event::Column::OrderId.is_in(order_ids.clone()))
            .exec(&txn)
            .await?;
        order_line::Entity::delete_many()
            .filter(order_line::Column::OrderId.is_in(order_ids.clone()))
            .exec(&txn)
            .await?;
        kvik_booking::Entity::update_many()
            .col_expr(
                kvik_booking::Column::LoanId,
                Expr::value(Option::<i32>::None),
            )
            .filter(kvik_booking::Column::LoanId.is_in(loan_ids.clone()))
            .exec(&txn)
            .await?;
        loan_event::Entity::delete_many()
            .filter(loan_event::Column::LoanId.is_in(loan_ids.clone()))
            .exec(&txn)
            .await?;
        loan::Entity::delete_many()
            .filter(loan::Column::Id.is_in(loan_ids))
            .exec(&txn)
            .await?;
        let stop_addresses = delete_stops_of(&txn, &order_ids).await?;
        order::Entity::delete_many()
            .filter(order::Column::Id.is_in(order_ids))
            .exec(&txn)
            .await?;
        audit_event::Entity::update_many()
            .col_expr(
                audit_event::Column::CitizenId,
                Expr::value(Option::<i32>::None),
            )
            .col_expr(
                audit_event::Column::Detail,
                Expr::value("borger slettet efter opbevaringsperioden"),
            )
            .col_expr(audit_event::Column::Ip, Expr::value(Option::<String>::None))
            .filter(audit_event::Column::CitizenId.eq(person.id))
            .exec(&txn)
            .await?;
        citizen::Entity::delete_by_id(person.id).exec(&txn).await?;
        let mut address_ids: Vec<i32> = orders.iter().map(|o| o.address_id).collect();
        address_ids.extend(person.address_id);
        address_ids.extend(stop_addresses);
        address_ids.sort_unstable();
        address_ids.dedup();
        for address_id in address_ids {
            delete_address_if_unused(&txn, address_id).await?;
        }
        crate::audit::record(
            &txn,
            crate::audit::AuditEntry {
                action: "citizen.delete",
                detail: format!("opbevaringsperioden på {retention_days} dage udløbet"),
                ..Default::default()
            },
            now,
        )
        .await?;
        txn.commit().await?;
        deleted += 1;
    }
    let cutoff = now - chrono::Duration::days(retention_days);
    kvik_booking::Entity::delete_many()
        .filter(kvik_booking::Column::CreatedAt.lt(cutoff))
        .filter(kvik_booking::Column::LoanId.is_null())
        .exec(db)
        .await?;
    Ok(deleted)
}

async fn delete_address_if_unused(
    db: &impl ConnectionTrait,
    address_id: i32,
) -> Result<(), AppError> {
    let used = citizen::Entity::find()
        .filter(citizen::Column::AddressId.eq(address_id))
        .count(db)
        .await?
        + order::Entity::find()
            .filter(order::Column::AddressId.eq(address_id))
            .count(db)
            .await?
        + stop::Entity::find()
            .filter(stop::Column::AddressId.eq(address_id))
            .count(db)
            .await?;
    if used == 0 {
        address::Entity::delete_by_id(address_id).exec(db).await?;
    }
    Ok(())
}
