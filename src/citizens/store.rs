//! Queries for citizens and their addresses. Functions take any connection, so
//! callers (this capability, orders, loan import, the demo seed) can run them
//! inside their own transaction.

use chrono::{DateTime, Utc};
use entity::{address, area, area_postcode, citizen};
use sea_orm::sea_query::{Expr, ExprTrait, Func, LikeExpr};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, IntoActiveModel,
    QueryFilter, QueryOrder, QuerySelect, Set, TransactionSession, TransactionTrait,
};

use super::{Details, SEARCH_LIMIT, SearchQuery, changed_fields, contains_pattern, title_case};
use crate::audit::{self, AuditEntry};
use crate::auth::Principal;
use crate::domain::{AddressInput, Cpr, Phone};
use crate::error::AppError;

/// A row of the search result: never the full CPR number.
#[derive(Clone, Debug)]
pub struct CitizenRow {
    pub id: i32,
    pub name: String,
    pub cpr_masked: String,
    pub address: String,
}

/// A citizen by id; an unknown id is "not found".
pub async fn find(db: &impl ConnectionTrait, id: i32) -> Result<citizen::Model, AppError> {
    citizen::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)
}

pub async fn find_by_cpr(
    db: &impl ConnectionTrait,
    cpr: &Cpr,
) -> Result<Option<citizen::Model>, AppError> {
    Ok(citizen::Entity::find()
        .filter(citizen::Column::Cpr.eq(cpr.as_str()))
        .one(db)
        .await?)
}

pub async fn find_address(
    db: &impl ConnectionTrait,
    id: Option<i32>,
) -> Result<Option<address::Model>, AppError> {
    match id {
        Some(id) => Ok(address::Entity::find_by_id(id).one(db).await?),
        None => Ok(None),
    }
}

/// The area whose therapists look after an address, by its postal code.
pub async fn area_of_postal_code(
    db: &impl ConnectionTrait,
    postal_code: &str,
) -> Result<Option<area::Model>, AppError> {
    let Some(link) = area_postcode::Entity::find_by_id(postal_code.trim().to_owned())
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    Ok(area::Entity::find_by_id(link.area_id).one(db).await?)
}

/// A stored address as form input (to fill the edit form).
pub fn address_input(model: &address::Model) -> AddressInput {
    AddressInput {
        street: model.street.clone(),
        house_number: model.house_number.clone(),
        floor: model.floor.clone(),
        door: model.door.clone(),
        postal_code: model.postal_code.clone(),
        city: model.city.clone(),
    }
}

/// "Vestergade 12B, 2. tv, 8900 Randers C".
pub fn one_line(model: &address::Model) -> String {
    address_input(model).one_line()
}

/// Citizens matching the search: the exact CPR number, or part of the name in
/// any case; at most `SEARCH_LIMIT`, by name.
pub async fn search(
    db: &impl ConnectionTrait,
    query: &SearchQuery,
) -> Result<Vec<CitizenRow>, AppError> {
    let condition = match query {
        SearchQuery::Cpr(cpr) => Condition::all().add(citizen::Column::Cpr.eq(cpr.as_str())),
        SearchQuery::Name(name) => {
            let name_col = || Expr::col((citizen::Entity, citizen::Column::Name));
            Condition::any()
                .add(
                    Expr::expr(Func::lower(name_col()))
                        .like(LikeExpr::new(contains_pattern(&name.to_lowercase())).escape('\\')),
                )
                .add(
                    name_col()
                        .like(LikeExpr::new(contains_pattern(&title_case(name))).escape('\\')),
                )
        }
        SearchQuery::Empty | SearchQuery::Invalid(_) => return Ok(Vec::new()),
    };
    let found = citizen::Entity::find()
        .filter(condition)
        .order_by_asc(citizen::Column::Name)
        .order_by_asc(citizen::Column::Id)
        .limit(SEARCH_LIMIT)
        .all(db)
        .await?;
    let address_ids: Vec<i32> = found.iter().filter_map(|c| c.address_id).collect();
    let addresses =
        crate::db::rows_by::<address::Entity, _>(db, address::Column::Id, address_ids, |a| a.id)
            .await?;
    Ok(found
        .into_iter()
        .map(|c| CitizenRow {
            id: c.id,
            cpr_masked: super::mask_cpr(&c.cpr),
            address: c
                .address_id
                .and_then(|id| addresses.get(&id))
                .map(one_line)
                .unwrap_or_default(),
            name: c.name,
        })
        .collect())
}

/// The address row with the same normalised key, or a new one. Coordinates are
/// stored on a new row, and filled in on an existing row that has none. Safe when
/// two requests add the same address at once (the key is unique; the loser of
/// the race reads the winner's row).
pub async fn find_or_create_address(
    db: &impl ConnectionTrait,
    input: &AddressInput,
    coords: Option<(f64, f64)>,
) -> Result<address::Model, AppError> {
    let tidy = super::tidy_address(input);
    let key = tidy.key();
    let existing = address::Entity::find()
        .filter(address::Column::NormKey.eq(key.as_str()))
        .one(db)
        .await?;
    if let Some(found) = existing {
        return match (coords, found.lat, found.lon) {
            (Some((lat, lon)), None, _) | (Some((lat, lon)), _, None) => {
                let mut active = found.into_active_model();
                active.lat = Set(Some(lat));
                active.lon = Set(Some(lon));
                Ok(active.update(db).await?)
            }
            _ => Ok(found),
        };
    }
    let new = address::ActiveModel {
        street: Set(tidy.street.clone()),
        house_number: Set(tidy.house_number.clone()),
        floor: Set(tidy.floor.clone()),
        door: Set(tidy.door.clone()),
        postal_code: Set(tidy.postal_code.clone()),
        city: Set(tidy.city.clone()),
        lat: Set(coords.map(|c| c.0)),
        lon: Set(coords.map(|c| c.1)),
        norm_key: Set(key.clone()),
        ..Default::default()
    };
    address::Entity::insert(new)
        .on_conflict_do_nothing_on([address::Column::NormKey])
        .exec_without_returning(db)
        .await?;
    address::Entity::find()
        .filter(address::Column::NormKey.eq(key))
        .one(db)
        .await?
        .ok_or_else(|| AppError::Internal("address vanished after insert".to_owned()))
}

/// A citizen as another capability knows it (a hospital order, a loan import).
#[derive(Debug)]
pub struct CitizenData<'a> {
    pub cpr: &'a Cpr,
    pub name: &'a str,
    /// None keeps the phone already stored.
    pub phone: Option<&'a Phone>,
    /// None keeps the home address already stored (e.g. when an order goes to a
    /// discharge address that is not the citizen's home).
    pub address_id: Option<i32>,
}

/// What `upsert_citizen` did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Upserted {
    Created,
    /// The names of the fields that changed.
    Updated(Vec<&'static str>),
    Unchanged,
}

/// Finds a citizen by CPR number and brings name, phone and address up to date,
/// or creates the citizen. Writes the audit event (`citizen.create` or
/// `citizen.update` with the names of the changed fields; never the CPR number).
/// Run it inside the caller's transaction.
pub async fn upsert_citizen(
    db: &impl ConnectionTrait,
    actor: Option<&Principal>,
    data: &CitizenData<'_>,
    now: DateTime<Utc>,
) -> Result<(citizen::Model, Upserted), AppError> {
    let name = data.name.split_whitespace().collect::<Vec<_>>().join(" ");
    if name.is_empty() {
        return Err(AppError::field("name", "Navn mangler"));
    }
    let phone = data.phone.map(|p| p.as_str().to_owned());
    let Some(found) = find_by_cpr(db, data.cpr).await? else {
        let created = citizen::ActiveModel {
            cpr: Set(data.cpr.as_str().to_owned()),
            name: Set(name),
            phone: Set(phone),
            address_id: Set(data.address_id),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        }
        .insert(db)
        .await?;
        audit_write(
            db,
            actor,
            "citizen.create",
            created.id,
            "oprettet".to_owned(),
            now,
        )
        .await?;
        return Ok((created, Upserted::Created));
    };
    let mut changed = Vec::new();
    if found.name != name {
        changed.push("name");
    }
    if phone.is_some() && found.phone != phone {
        changed.push("phone");
    }
    if data.address_id.is_some() && found.address_id != data.address_id {
        changed.push("address");
    }
    if changed.is_empty() {
        return Ok((found, Upserted::Unchanged));
    }
    let id = found.id;
    let mut active = found.into_active_model();
    active.name = Set(name);
    if phone.is_some() {
        active.phone = Set(phone);
    }
    if data.address_id.is_some() {
        active.address_id = Set(data.address_id);
    }
    active.updated_at = Set(now);
    let updated = active.update(db).await?;
    audit_write(
        db,
        actor,
        "citizen.update",
        id,
        changed_detail(&changed),
        now,
    )
    .await?;
    Ok((updated, Upserted::Updated(changed)))
}

/// What creating a citizen from the form came to.
#[derive(Debug)]
pub enum Created {
    New(citizen::Model),
    /// A citizen with this CPR number exists already: its id.
    Exists(i32),
}

/// Creates a citizen with a home address in one transaction and audits it.
pub async fn create_citizen<C>(
    db: &C,
    actor: &Principal,
    cpr: &Cpr,
    details: &Details,
    now: DateTime<Utc>,
) -> Result<Created, AppError>
where
    C: ConnectionTrait + TransactionTrait,
{
    if let Some(existing) = find_by_cpr(db, cpr).await? {
        return Ok(Created::Exists(existing.id));
    }
    let tx = crate::db::begin_write(db).await?;
    let address = find_or_create_address(&tx, &details.address, None).await?;
    let result = upsert_citizen(
        &tx,
        Some(actor),
        &CitizenData {
            cpr,
            name: &details.name,
            phone: details.phone.as_ref(),
            address_id: Some(address.id),
        },
        now,
    )
    .await;
    match result {
        Ok((created, Upserted::Created)) => {
            tx.commit().await?;
            Ok(Created::New(created))
        }
        // Someone created the same citizen between the check and the insert.
        Ok((existing, _)) => {
            tx.rollback().await?;
            Ok(Created::Exists(existing.id))
        }
        Err(AppError::Conflict(_)) => {
            tx.rollback().await?;
            match find_by_cpr(db, cpr).await? {
                Some(existing) => Ok(Created::Exists(existing.id)),
                None => Err(AppError::Conflict(
                    "Borgeren kunne ikke oprettes. Prøv igen.".to_owned(),
                )),
            }
        }
        Err(other) => Err(other),
    }
}

/// Changes name, phone and home address in one transaction; audits the names of
/// the changed fields (nothing is written when nothing changed). Returns them.
pub async fn update_citizen<C>(
    db: &C,
    actor: &Principal,
    id: i32,
    details: &Details,
    now: DateTime<Utc>,
) -> Result<Vec<&'static str>, AppError>
where
    C: ConnectionTrait + TransactionTrait,
{
    let tx = crate::db::begin_write(db).await?;
    let found = find(&tx, id).await?;
    let address = find_or_create_address(&tx, &details.address, None).await?;
    let changed = changed_fields(
        &found.name,
        found.phone.as_deref(),
        found.address_id,
        details,
        address.id,
    );
    if changed.is_empty() {
        tx.rollback().await?;
        return Ok(changed);
    }
    let mut active = found.into_active_model();
    active.name = Set(details.name.clone());
    active.phone = Set(details.phone.as_ref().map(|p| p.as_str().to_owned()));
    active.address_id = Set(Some(address.id));
    active.updated_at = Set(now);
    active.update(&tx).await?;
    audit_write(
        &tx,
        Some(actor),
        "citizen.update",
        id,
        changed_detail(&changed),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(changed)
}

/// Writes `citizen.view`: someone saw the full record (with the full CPR number).
pub async fn record_view(
    db: &impl ConnectionTrait,
    actor: &Principal,
    citizen_id: i32,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    audit_write(
        db,
        Some(actor),
        "citizen.view",
        citizen_id,
        "fuld visning".to_owned(),
        now,
    )
    .await
}

fn changed_detail(changed: &[&str]) -> String {
    format!("ændrede felter: {}", changed.join(", "))
}

async fn audit_write(
    db: &impl ConnectionTrait,
    actor: Option<&Principal>,
    action: &str,
    citizen_id: i32,
    detail: String,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    audit::record(
        db,
        AuditEntry {
            actor,
            action,
            citizen_id: Some(citizen_id),
            detail,
            ..Default::default()
        },
        now,
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::{Role, Via};
    use entity::audit_event;
    use sea_orm::{DatabaseConnection, PaginatorTrait};

    async fn database() -> (tempfile::TempDir, DatabaseConnection) {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}?mode=rwc", dir.path().join("t.db").display());
        let db = crate::db::connect(&url).await.unwrap();
        crate::db::migrate(&db).await.unwrap();
        (dir, db)
    }

    fn actor() -> Principal {
        Principal {
            user_id: 1,
            name: "Tina".into(),
            email: "t@x.invalid".into(),
            role: Role::Therapist,
            area_id: None,
            via: Via::Token,
        }
    }

    fn details(name: &str, street: &str, door: &str) -> Details {
        super::super::check_details(&super::super::DetailsInput {
            name: name.into(),
            phone: "86123456".into(),
            address: AddressInput {
                street: street.into(),
                house_number: "12B".into(),
                floor: Some("2".into()),
                door: Some(door.into()),
                postal_code: "8900".into(),
                city: "Randers C".into(),
            },
        })
        .unwrap()
    }

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-11-23T10:00:00Z")
            .unwrap()
            .to_utc()
    }

    #[tokio::test]
    async fn the_same_address_written_differently_is_one_row() {
        let (_dir, db) = database().await;
        let a = find_or_create_address(&db, &details("A", "Vestergade", "tv").address, None)
            .await
            .unwrap();
        let b = find_or_create_address(
            &db,
            &details("B", "vesterg.", "TV.").address,
            Some((56.46, 10.03)),
        )
        .await
        .unwrap();
        assert_eq!(a.id, b.id);
        assert_eq!(
            b.lat,
            Some(56.46),
            "coordinates fill in an address without them"
        );
        assert_eq!(address::Entity::find().count(&db).await.unwrap(), 1);
    }

    #[tokio::test]
    async fn creating_twice_finds_the_first_and_audits_once_without_the_cpr() {
        let (_dir, db) = database().await;
        let cpr = Cpr::parse("0101801234").unwrap();
        let Created::New(first) = create_citizen(
            &db,
            &actor(),
            &cpr,
            &details("Karen Jensen", "Vestergade", "tv"),
            now(),
        )
        .await
        .unwrap() else {
            panic!("expected a new citizen");
        };
        let again = create_citizen(
            &db,
            &actor(),
            &cpr,
            &details("Karen J", "Torvet", "th"),
            now(),
        )
        .await
        .unwrap();
        assert!(matches!(again, Created::Exists(id) if id == first.id));
        let events = audit_event::Entity::find().all(&db).await.unwrap();
        assert_eq!(events.len(), 1);
        assert_eq!(events[0].action, "citizen.create");
        assert_eq!(events[0].citizen_id, Some(first.id));
        assert!(!events[0].detail.contains("0101801234"));
    }

    #[tokio::test]
    async fn an_edit_audits_the_names_of_changed_fields() {
        let (_dir, db) = database().await;
        let cpr = Cpr::parse("0101801234").unwrap();
        let Created::New(citizen) = create_citizen(
            &db,
            &actor(),
            &cpr,
            &details("Karen Jensen", "Vestergade", "tv"),
            now(),
        )
        .await
        .unwrap() else {
            panic!("expected a new citizen");
        };
        let unchanged = update_citizen(
            &db,
            &actor(),
            citizen.id,
            &details("Karen Jensen", "Vesterg.", "tv"),
            now(),
        )
        .await
        .unwrap();
        assert!(unchanged.is_empty());
        let changed = update_citizen(
            &db,
            &actor(),
            citizen.id,
            &details("Karen Jensen", "Vestergade", "th"),
            now(),
        )
        .await
        .unwrap();
        assert_eq!(changed, ["address"]);
        let last = audit_event::Entity::find()
            .all(&db)
            .await
            .unwrap()
            .pop()
            .unwrap();
        assert_eq!(
            (last.action.as_str(), last.detail.as_str()),
            ("citizen.update", "ændrede felter: address")
        );
        assert!(matches!(
            update_citizen(&db, &actor(), 999, &details("X", "Y", "tv"), now()).await,
            Err(AppError::NotFound)
        ));
    }

    #[tokio::test]
    async fn upsert_keeps_what_it_is_not_given() {
        let (_dir, db) = database().await;
        let cpr = Cpr::parse("0101801234").unwrap();
        let phone = Phone::parse("86123456").unwrap();
        let data = CitizenData {
            cpr: &cpr,
            name: "Karen Jensen",
            phone: Some(&phone),
            address_id: None,
        };
        let (created, what) = upsert_citizen(&db, None, &data, now()).await.unwrap();
        assert_eq!(what, Upserted::Created);
        let renamed = CitizenData {
            cpr: &cpr,
            name: "Karen  Marie Jensen",
            phone: None,
            address_id: None,
        };
        let (updated, what) = upsert_citizen(&db, None, &renamed, now()).await.unwrap();
        assert_eq!(what, Upserted::Updated(vec!["name"]));
        assert_eq!(updated.id, created.id);
        assert_eq!(updated.name, "Karen Marie Jensen");
        assert_eq!(updated.phone.as_deref(), Some("+4586123456"));
        let (_, what) = upsert_citizen(&db, None, &renamed, now()).await.unwrap();
        assert_eq!(what, Upserted::Unchanged);
    }

    #[tokio::test]
    async fn search_finds_by_exact_cpr_or_any_case_of_the_name() {
        let (_dir, db) = database().await;
        for (cpr, name) in [
            ("0101801234", "Søren Ørum"),
            ("0202802345", "Karen Jensen"),
            ("0303803456", "Jens 100% Hansen"),
        ] {
            let cpr = Cpr::parse(cpr).unwrap();
            create_citizen(
                &db,
                &actor(),
                &cpr,
                &details(name, "Vestergade", "tv"),
                now(),
            )
            .await
            .unwrap();
        }
        let names = |rows: Vec<CitizenRow>| rows.into_iter().map(|r| r.name).collect::<Vec<_>>();
        let by = |q: &str| SearchQuery::parse(q);
        assert_eq!(
            names(search(&db, &by("ørum")).await.unwrap()),
            ["Søren Ørum"]
        );
        assert_eq!(
            names(search(&db, &by("JENS")).await.unwrap()),
            ["Jens 100% Hansen", "Karen Jensen"]
        );
        assert_eq!(
            names(search(&db, &by("0% h")).await.unwrap()),
            ["Jens 100% Hansen"]
        );
        assert!(search(&db, &by("%%")).await.unwrap().is_empty());
        let rows = search(&db, &by("020280-2345")).await.unwrap();
        assert_eq!(names(rows.clone()), ["Karen Jensen"]);
        assert_eq!(rows[0].cpr_masked, "020280-xxxx");
        assert_eq!(rows[0].address, "Vestergade 12B, 2. tv, 8900 Randers C");
        assert!(search(&db, &by("0202802346")).await.unwrap().is_empty());
    }
}
