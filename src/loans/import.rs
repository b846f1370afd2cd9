//! Importing existing loans from CSV (the contract's header, comma or semicolon
//! separated). Every line is checked and every problem reported with its line
//! number; by default nothing is imported when any line is wrong, with
//! `partial` the good lines are. One transaction either way.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, NaiveDate, Utc};
use entity::{area_postcode, loan, product};
use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter};
use serde::Serialize;

use super::store::{NewLoan, create_loan};
use super::{LegalBasis, Status, due_date, parse_date};
use crate::auth::Principal;
use crate::citizens::store::{CitizenData, find_by_cpr, find_or_create_address, upsert_citizen};
use crate::domain::{AddressInput, Cpr};
use crate::error::AppError;

pub const HEADER: [&str; 12] = [
    "cpr",
    "name",
    "street",
    "house_number",
    "floor",
    "door",
    "postal_code",
    "city",
    "product_code",
    "legal_basis",
    "start_date",
    "due_date",
];

/// At most this many lines in one import.
pub const MAX_LINES: usize = 50_000;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct LineError {
    /// The line in the file (the header is line 1).
    pub line: u64,
    pub message: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ImportSummary {
    pub imported: usize,
    pub errors: Vec<LineError>,
}

/// A line that passed the checks that need no database.
#[derive(Clone, Debug)]
pub struct ImportLine {
    pub line: u64,
    pub cpr: Cpr,
    pub name: String,
    pub address: AddressInput,
    pub product_code: String,
    pub basis: LegalBasis,
    pub start: NaiveDate,
    pub due: Option<NaiveDate>,
}

fn err(line: u64, message: impl Into<String>) -> LineError {
    LineError {
        line,
        message: message.into(),
    }
}

/// Reads the file and checks each line on its own (no database): the good lines
/// and the errors, both with line numbers.
pub fn parse(text: &str, today: NaiveDate) -> (Vec<ImportLine>, Vec<LineError>) {
    let text = text.trim_start_matches('\u{feff}');
    // csv counts a record's line from where it starts, and after a CRLF that is
    // the `\n`, still on the line before: Windows files got every line number
    // one too low. A lone CR (old Mac files) ends a record for csv but not a line,
    // so two records shared a number. Both found by fuzz/loan_import_csv.
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    let text = text.as_str();
    let first = text.lines().next().unwrap_or_default();
    let delimiter = if first.contains(';') && !first.contains(',') {
        b';'
    } else {
        b','
    };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let mut errors = Vec::new();
    let header: Vec<String> = match reader.headers() {
        Ok(h) => h.iter().map(|f| f.trim().to_lowercase()).collect(),
        Err(_) => return (Vec::new(), vec![err(1, "Filen kan ikke læses som CSV")]),
    };
    if header != HEADER {
        return (
            Vec::new(),
            vec![err(
                1,
                format!(
                    "Første linje skal være overskrifterne: {}",
                    HEADER.join(",")
                ),
            )],
        );
    }
    let mut lines = Vec::new();
    for (n, record) in reader.records().enumerate() {
        if n >= MAX_LINES {
            errors.push(err(
                u64::try_from(n).unwrap_or(u64::MAX) + 2,
                format!("Højst {MAX_LINES} lån ad gangen; del filen op"),
            ));
            break;
        }
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, csv::Position::line);
                errors.push(err(line, "Linjen kan ikke læses som CSV"));
                continue;
            }
        };
        let line = record.position().map_or(0, csv::Position::line);
        if record.iter().all(str::is_empty) {
            continue;
        }
        if record.len() != HEADER.len() {
            errors.push(err(
                line,
                format!(
                    "Linjen har {} felter; der skal være {}",
                    record.len(),
                    HEADER.len()
                ),
            ));
            continue;
        }
        match check_line(line, &record, today) {
            Ok(ok) => lines.push(ok),
            Err(message) => errors.push(err(line, message)),
        }
    }
    if lines.is_empty() && errors.is_empty() {
        errors.push(err(2, "Filen indeholder ingen lån"));
    }
    (lines, errors)
}

fn check_line(line: u64, r: &csv::StringRecord, today: NaiveDate) -> Result<ImportLine, String> {
    let field = |i: usize| r.get(i).unwrap_or_default().trim();
    let mut problems: Vec<String> = Vec::new();
    // The messages never repeat the CPR number or other values of the line.
    let cpr = Cpr::parse(field(0))
        .map_err(|m| problems.push(format!("cpr: {m}")))
        .ok();
    let name = field(1).split_whitespace().collect::<Vec<_>>().join(" ");
    if name.is_empty() {
        problems.push("name: Navn mangler".to_owned());
    } else if name.chars().count() > 200 {
        problems.push("name: Navnet er for langt".to_owned());
    }
    let optional = |s: &str| (!s.is_empty()).then(|| s.to_owned());
    let address = crate::citizens::tidy_address(&AddressInput {
        street: field(2).to_owned(),
        house_number: field(3).to_owned(),
        floor: optional(field(4)),
        door: optional(field(5)),
        postal_code: field(6).to_owned(),
        city: field(7).to_owned(),
    });
    for (name, messages) in address.validate("") {
        problems.push(format!("{name}: {}", messages.join(" ")));
    }
    let product_code = field(8).to_owned();
    if product_code.is_empty() {
        problems.push("product_code: Hjælpemiddelnummer mangler".to_owned());
    }
    let basis = LegalBasis::parse(field(9));
    if basis.is_none() {
        problems.push("legal_basis: Skal være sundhedsloven_140 eller serviceloven_112".to_owned());
    }
    let start = parse_date(field(10));
    match start {
        None => problems.push("start_date: Ugyldig dato (ÅÅÅÅ-MM-DD)".to_owned()),
        Some(s) if s > today => {
            problems.push("start_date: Startdatoen ligger i fremtiden".to_owned())
        }
        Some(_) => {}
    }
    let due = match field(11) {
        "" => None,
        raw => match parse_date(raw) {
            Some(d) => Some(d),
            None => {
                problems.push("due_date: Ugyldig dato (ÅÅÅÅ-MM-DD)".to_owned());
                None
            }
        },
    };
    if let (Some(LegalBasis::Serviceloven112), Some(_)) = (basis, due) {
        problems.push("due_date: Et §112-lån har ingen slutdato".to_owned());
    }
    if let (Some(s), Some(d)) = (start, due)
        && d < s
    {
        problems.push("due_date: Slutdatoen ligger før startdatoen".to_owned());
    }
    match (cpr, basis, start) {
        (Some(cpr), Some(basis), Some(start)) if problems.is_empty() => Ok(ImportLine {
            line,
            cpr,
            name,
            address,
            product_code,
            basis,
            start,
            due: match basis {
                LegalBasis::Sundhedsloven140 => due.or_else(|| due_date(start, basis)),
                LegalBasis::Serviceloven112 => None,
            },
        }),
        _ => Err(problems.join("; ")),
    }
}

/// Checks the lines against the database (product, area of the postal code, the
/// same loan already there) and imports them in one transaction.
pub async fn import(
    db: &DatabaseConnection,
    text: &str,
    partial: bool,
    actor: Option<&Principal>,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<ImportSummary, AppError> {
    let (lines, mut errors) = parse(text, today);
    let tx = crate::db::begin_write(db).await?;
    super::store::write_lock(&tx).await?;
    let products: HashMap<String, i32> = product::Entity::find()
        .all(&tx)
        .await?
        .into_iter()
        .map(|p| (p.code, p.id))
        .collect();
    let areas: HashMap<String, i32> = area_postcode::Entity::find()
        .all(&tx)
        .await?
        .into_iter()
        .map(|p| (p.postal_code, p.area_id))
        .collect();
    let mut seen = HashSet::new();
    let mut good = Vec::new();
    for line in lines {
        let mut problems = Vec::new();
        let product_id = products.get(&line.product_code).copied();
        if product_id.is_none() {
            problems.push("product_code: Ukendt hjælpemiddelnummer".to_owned());
        }
        let area_id = areas.get(&line.address.postal_code).copied();
        if area_id.is_none() {
            problems.push("postal_code: Postnummeret hører ikke til et område".to_owned());
        }
        if let Some(product_id) = product_id {
            if !seen.insert((line.cpr.as_str().to_owned(), product_id, line.start)) {
                problems.push("Samme lån står to gange i filen".to_owned());
            } else if exists(&tx, &line.cpr, product_id, line.start).await? {
                problems.push(
                    "Lånet findes allerede (samme borger, hjælpemiddel og startdato)".to_owned(),
                );
            }
        }
        match (product_id, area_id) {
            (Some(p), Some(a)) if problems.is_empty() => good.push((line, p, a)),
            _ => errors.push(err(line.line, problems.join("; "))),
        }
    }
    errors.sort_by_key(|e| e.line);
    if !errors.is_empty() && !partial {
        tx.rollback().await?;
        return Ok(ImportSummary {
            imported: 0,
            errors,
        });
    }
    let mut imported = 0;
    for (line, product_id, area_id) in good {
        let address = find_or_create_address(&tx, &line.address, None).await?;
        let (citizen, _) = upsert_citizen(
            &tx,
            actor,
            &CitizenData {
                cpr: &line.cpr,
                name: &line.name,
                phone: None,
                address_id: Some(address.id),
            },
            now,
        )
        .await?;
        create_loan(
            &tx,
            NewLoan {
                citizen_id: citizen.id,
                product_id,
                unit_id: None,
                order_id: None,
                area_id,
                legal_basis: line.basis,
                start_date: line.start,
                due_date: Some(line.due),
                actor_user_id: actor.map(|a| a.user_id),
                event: "imported",
            },
            now,
        )
        .await?;
        imported += 1;
    }
    tx.commit().await?;
    Ok(ImportSummary { imported, errors })
}

async fn exists(
    db: &impl ConnectionTrait,
    cpr: &Cpr,
    product_id: i32,
    start: NaiveDate,
) -> Result<bool, AppError> {
    let Some(citizen) = find_by_cpr(db, cpr).await? else {
        return Ok(false);
    };
    Ok(loan::Entity::find()
        .filter(loan::Column::CitizenId.eq(citizen.id))
        .filter(loan::Column::ProductId.eq(product_id))
        .filter(loan::Column::StartDate.eq(start))
        .filter(loan::Column::Status.ne(Status::Returned.as_str()))
        .one(db)
        .await?
        .is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEAD: &str = "cpr,name,street,house_number,floor,door,postal_code,city,product_code,legal_basis,start_date,due_date\n";

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
    }

    #[test]
    fn good_lines_are_read_with_computed_due_dates() {
        let text = format!(
            "{HEAD}0101801234,Karen Jensen,Vestergade,12B,2,tv,8900,Randers C,12-06-03-01,sundhedsloven_140,2026-01-31,\n\
             0202802345,Ole Hansen,Storegade,3,,,8930,Randers NØ,12-06-03-01,serviceloven_112,2026-02-01,\n\
             0303803456,Bo Bech,Storegade,4,,,8930,Randers NØ,12-06-03-01,sundhedsloven_140,2026-02-01,2026-06-01\n"
        );
        let (lines, errors) = parse(&text, today());
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(lines.len(), 3);
        assert_eq!(lines[0].due, NaiveDate::from_ymd_opt(2026, 4, 30));
        assert_eq!(lines[0].address.floor.as_deref(), Some("2"));
        assert_eq!(lines[1].due, None);
        assert_eq!(lines[2].due, NaiveDate::from_ymd_opt(2026, 6, 1));
        assert_eq!(lines[2].line, 4);
    }

    #[test]
    fn every_bad_line_is_reported_with_its_number_and_without_its_values() {
        let text = format!(
            "{HEAD}0101801234,Karen Jensen,Vestergade,12B,,,8900,Randers C,X,sundhedsloven_140,2026-01-31,\n\
             3102801234,,Vestergade,12B,,,89,Randers C,X,paragraf,31-31-2026,\n\
             0101801234,Karen Jensen,Vestergade,12B,,,8900,Randers C,X,serviceloven_112,2026-01-31,2026-05-01\n\
             0101801234,Karen Jensen\n"
        );
        let (lines, errors) = parse(&text, today());
        assert_eq!(lines.len(), 1);
        let numbers: Vec<u64> = errors.iter().map(|e| e.line).collect();
        assert_eq!(numbers, [3, 4, 5]);
        for field in [
            "cpr:",
            "name:",
            "postal_code:",
            "legal_basis:",
            "start_date:",
        ] {
            assert!(
                errors[0].message.contains(field),
                "{field}: {}",
                errors[0].message
            );
        }
        assert!(errors[1].message.contains("§112"));
        assert!(errors.iter().all(|e| !e.message.contains("3102801234")));
    }

    #[test]
    fn a_wrong_header_or_an_empty_file_is_an_error_on_line_one_or_two() {
        let (_, errors) = parse("a,b,c\n1,2,3\n", today());
        assert_eq!(errors[0].line, 1);
        let (_, errors) = parse(HEAD, today());
        assert_eq!(errors[0].line, 2);
    }

    #[test]
    fn semicolons_and_a_byte_order_mark_are_accepted() {
        let text = format!(
            "\u{feff}{}0101801234;Karen Jensen;Vestergade;12B;;;8900;Randers C;X;sundhedsloven_140;01.02.2026;\n",
            HEAD.replace(',', ";")
        );
        let (lines, errors) = parse(&text, today());
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(lines.len(), 1);
    }

    #[test]
    fn windows_line_ends_give_the_same_line_numbers() {
        let text = format!(
            "{HEAD}0101801234,K J,Vestergade,1,,,8900,Randers C,X,sundhedsloven_140,2026-01-31,\n,\n3102801234\n"
        );
        let lf = parse(&text, today());
        let crlf = parse(&text.replace('\n', "\r\n"), today());
        assert_eq!(lf.0.iter().map(|l| l.line).collect::<Vec<_>>(), [2]);
        assert_eq!(crlf.0.iter().map(|l| l.line).collect::<Vec<_>>(), [2]);
        assert_eq!(crlf.1, lf.1);
        assert_eq!(crlf.1[0].line, 4);
        let cr = parse(&text.replace('\n', "\r"), today());
        assert_eq!(cr.0.iter().map(|l| l.line).collect::<Vec<_>>(), [2]);
        assert_eq!(cr.1, lf.1, "old Mac line ends count as lines too");
    }

    #[test]
    fn future_start_dates_and_due_dates_before_the_start_are_refused() {
        let text = format!(
            "{HEAD}0101801234,K J,Vestergade,1,,,8900,Randers C,X,sundhedsloven_140,2026-12-01,\n\
             0101801234,K J,Vestergade,1,,,8900,Randers C,X,sundhedsloven_140,2026-10-01,2026-09-01\n"
        );
        let (lines, errors) = parse(&text, today());
        assert!(lines.is_empty());
        assert_eq!(errors.len(), 2);
    }
}
