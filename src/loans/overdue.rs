//! Drawing the overdue lists: per area, count the loans past their due date and
//! their age bands, keep the statistic (`overdue_snapshot`, once per area and
//! period) and queue one email to the area's recipients. The email holds counts
//! and a link, never names, CPR numbers or health details.
//!
//! The same function serves `depot overdue send`, `POST /api/v1/overdue-lists`
//! and the scheduler. The period comes from the area's cadence, so however often
//! and from however many instances a list is drawn in a period, the unique index
//! (area_id, period) keeps one snapshot and the outbox key one email.

use askama::Template;
use chrono::{DateTime, NaiveDate, Utc};
use entity::{area, overdue_snapshot};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, Set};
use serde::Serialize;

use super::{Bands, period_of, store};
use crate::error::AppError;
use crate::notify::schedule::{DueJob, JobKind};
use crate::notify::{Email, split_recipients};
use crate::state::AppState;

/// The outcome of drawing one area's list.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Drawn {
    /// The area's code: nord, syd, vest.
    pub area: String,
    /// Loans past their due date now.
    pub count: i64,
    /// How many addresses the area's list goes to.
    pub recipients: usize,
    /// The period of the list, e.g. `2026-W48`.
    pub period: String,
    /// True when this draw stored the period's snapshot and queued its email;
    /// false when the period's list had been drawn already.
    pub first_in_period: bool,
    #[serde(skip)]
    pub bands: Bands,
}

#[derive(Template)]
#[template(path = "mail/overdue.txt")]
struct OverdueText<'a> {
    area_name: &'a str,
    count: i64,
    bands: Vec<(&'static str, i64)>,
    link: &'a str,
    period: &'a str,
    today: String,
}

#[derive(Template)]
#[template(path = "mail/overdue.html")]
struct OverdueHtml<'a> {
    area_name: &'a str,
    count: i64,
    bands: Vec<(&'static str, i64)>,
    link: &'a str,
    period: &'a str,
    today: String,
}

/// The link to an area's overdue list in the app.
pub fn list_link(public_url: &str, area_code: &str) -> String {
    format!(
        "{}/loans?area={area_code}&status=overdue",
        public_url.trim_end_matches('/')
    )
}

pub fn subject(count: i64, area_name: &str) -> String {
    match count {
        0 => format!("Udlånsperiode overskredet: ingen lån i {area_name}"),
        1 => format!("Udlånsperiode overskredet: 1 lån i {area_name}"),
        n => format!("Udlånsperiode overskredet: {n} lån i {area_name}"),
    }
}

/// The email of one area's list: counts and a link only.
pub fn email(
    area: &area::Model,
    bands: &Bands,
    period: &str,
    public_url: &str,
    today: NaiveDate,
) -> Result<Email, AppError> {
    let link = list_link(public_url, &area.code);
    let text = OverdueText {
        area_name: &area.name,
        count: bands.count,
        bands: bands.rows(),
        link: &link,
        period,
        today: crate::web::local_date(today),
    }
    .render()?;
    let html = OverdueHtml {
        area_name: &area.name,
        count: bands.count,
        bands: bands.rows(),
        link: &link,
        period,
        today: crate::web::local_date(today),
    }
    .render()?;
    Ok(Email {
        key: format!("overdue:{}:{period}", area.code),
        to: split_recipients(&area.list_recipients),
        subject: subject(bands.count, &area.name),
        text,
        html: Some(html),
        attachments: Vec::new(),
    })
}

/// Draws the lists of every area (or of the area with code `only`) now.
pub async fn draw_and_send(
    state: &AppState,
    only: Option<&str>,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<Vec<Drawn>, AppError> {
    let areas = match only {
        Some(code) => vec![store::area_by_code(&state.db, code).await?],
        None => store::all_areas(&state.db).await?,
    };
    let mut drawn = Vec::new();
    let mut queued = false;
    for area in areas {
        let (one, sent) = draw_area(state, &area, today, now).await?;
        queued |= sent;
        drawn.push(one);
    }
    if queued {
        state.mail_wakeup.notify_one();
    }
    Ok(drawn)
}

/// One area in one transaction: snapshot and email together or neither.
async fn draw_area(
    state: &AppState,
    area: &area::Model,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<(Drawn, bool), AppError> {
    let period = period_of(&area.list_cadence, today);
    let recipients = split_recipients(&area.list_recipients);
    let tx = crate::db::begin_write(&state.db).await?;
    // Claim the period first (a write, so SQLite takes its lock now), then count.
    let inserted = overdue_snapshot::Entity::insert(overdue_snapshot::ActiveModel {
        area_id: Set(area.id),
        period: Set(period.clone()),
        taken_at: Set(now),
        count: Set(0),
        band_1_30: Set(0),
        band_31_90: Set(0),
        band_91_180: Set(0),
        band_over_180: Set(0),
        ..Default::default()
    })
    .on_conflict_do_nothing_on([
        overdue_snapshot::Column::AreaId,
        overdue_snapshot::Column::Period,
    ])
    .exec_without_returning(&tx)
    .await?;
    let first = matches!(inserted, sea_orm::TryInsertResult::Inserted(n) if n > 0);
    let bands = store::overdue_bands(&tx, area.id, today).await?;
    if first {
        let clamp = |n: i64| i32::try_from(n).unwrap_or(i32::MAX);
        overdue_snapshot::Entity::update_many()
            .col_expr(
                overdue_snapshot::Column::Count,
                Expr::value(clamp(bands.count)),
            )
            .col_expr(
                overdue_snapshot::Column::Band130,
                Expr::value(clamp(bands.band_1_30)),
            )
            .col_expr(
                overdue_snapshot::Column::Band3190,
                Expr::value(clamp(bands.band_31_90)),
            )
            .col_expr(
                overdue_snapshot::Column::Band91180,
                Expr::value(clamp(bands.band_91_180)),
            )
            .col_expr(
                overdue_snapshot::Column::BandOver180,
                Expr::value(clamp(bands.band_over_180)),
            )
            .filter(overdue_snapshot::Column::AreaId.eq(area.id))
            .filter(overdue_snapshot::Column::Period.eq(period.as_str()))
            .exec(&tx)
            .await?;
    }
    let mut sent = false;
    if first && !recipients.is_empty() {
        let mail = email(
            area,
            &bands,
            &period,
            state.config.public_url.as_str(),
            today,
        )?;
        sent = crate::notify::store::enqueue(&tx, mail, &state.config.mail_domain(), now).await?;
    }
    tx.commit().await?;
    if first {
        tracing::info!(area = %area.code, period = %period, count = bands.count, "overdue list drawn");
    }
    Ok((
        Drawn {
            area: area.code.clone(),
            count: bands.count,
            recipients: recipients.len(),
            period,
            first_in_period: first,
            bands,
        },
        sent,
    ))
}

/// The scheduler's overdue jobs: an area is due when its current period has no
/// snapshot yet. Areas without any loan keep no statistic.
pub async fn due_jobs(state: &AppState, now: DateTime<Utc>) -> Result<Vec<DueJob>, AppError> {
    let today = crate::clock::local_date(now);
    let mut due = Vec::new();
    for area in store::all_areas(&state.db).await? {
        let period = period_of(&area.list_cadence, today);
        let taken = overdue_snapshot::Entity::find()
            .filter(overdue_snapshot::Column::AreaId.eq(area.id))
            .filter(overdue_snapshot::Column::Period.eq(period.as_str()))
            .one(&state.db)
            .await?
            .is_some();
        if taken || !store::area_has_loans(&state.db, area.id).await? {
            continue;
        }
        due.push(DueJob {
            name: format!("overdue:{}", area.code),
            period,
            kind: JobKind::OverdueList { area_id: area.id },
        });
    }
    Ok(due)
}

/// Runs a scheduled list for one area.
pub async fn run_job(state: &AppState, area_id: i32) -> Result<String, AppError> {
    let area = area::Entity::find_by_id(area_id)
        .one(&state.db)
        .await?
        .ok_or(AppError::NotFound)?;
    let now = state.clock.now();
    let drawn = draw_and_send(state, Some(&area.code), crate::clock::local_date(now), now).await?;
    Ok(drawn
        .iter()
        .map(|d| format!("{}: {} overskredne lån ({})", d.area, d.count, d.period))
        .collect::<Vec<_>>()
        .join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn area() -> area::Model {
        area::Model {
            id: 2,
            code: "syd".into(),
            name: "Område Syd".into(),
            slip_phone: "+4589152020".into(),
            list_recipients: "a@x.invalid, b@x.invalid".into(),
            list_cadence: "weekly".into(),
        }
    }

    #[test]
    fn the_email_carries_counts_bands_and_the_link_only() {
        let bands = Bands {
            count: 12,
            band_1_30: 5,
            band_31_90: 4,
            band_91_180: 2,
            band_over_180: 1,
        };
        let today = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        let mail = email(&area(), &bands, "2026-W48", "https://depot.example/", today).unwrap();
        assert_eq!(mail.key, "overdue:syd:2026-W48");
        assert_eq!(mail.to, ["a@x.invalid", "b@x.invalid"]);
        assert_eq!(
            mail.subject,
            "Udlånsperiode overskredet: 12 lån i Område Syd"
        );
        assert!(
            mail.text
                .contains("https://depot.example/loans?area=syd&status=overdue")
        );
        assert!(mail.text.contains("12"));
        for label in ["1-30 dage", "31-90 dage", "91-180 dage", "over 180 dage"] {
            assert!(mail.text.contains(label), "{label}");
        }
        let html = mail.html.unwrap();
        assert!(
            html.contains("href=\"https://depot.example/loans?area=syd&"),
            "{html}"
        );
        assert!(html.contains("status=overdue\""));
    }
}
