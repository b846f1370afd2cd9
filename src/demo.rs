//! The demo municipality for `depot serve --demo`: seeded by code (not by
//! migrations) when the database is empty, in one transaction.
//!
//! Everything is generated deterministically (a small linear congruential
//! generator with a fixed seed), so every demo database looks the same. The
//! password is hashed once and shared by every demo user: hashing it per user
//! would cost Argon2 time for each one.

use std::collections::HashSet;

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use entity::{area, area_postcode, citizen, product, unit, user};
use sea_orm::{ActiveModelTrait, DatabaseConnection, EntityTrait, PaginatorTrait, Set};

use crate::auth::{Role, hash_password};
use crate::citizens::store::find_or_create_address;
use crate::domain::AddressInput;
use crate::error::AppError;

/// A demo login printed at start.
#[derive(Debug, Clone)]
pub struct DemoLogin {
    pub role: &'static str,
    pub email: String,
    pub password: String,
}

const DEMO_PASSWORD: &str = "demo-adgang-2026";

type Postcodes = &'static [(&'static str, &'static str)];

/// The three areas: code, name, the therapists' phone for the loan slip, postal codes.
const AREAS: [(&str, &str, &str, Postcodes); 3] = [
    (
        "nord",
        "Område Nord",
        "+4589151010",
        &[
            ("8930", "Randers NØ"),
            ("8970", "Havndal"),
            ("8981", "Spentrup"),
            ("8983", "Gjerlev J"),
        ],
    ),
    (
        "syd",
        "Område Syd",
        "+4589152020",
        &[
            ("8900", "Randers C"),
            ("8960", "Randers SØ"),
            ("8870", "Langå"),
        ],
    ),
    (
        "vest",
        "Område Vest",
        "+4589153030",
        &[
            ("8920", "Randers NV"),
            ("8940", "Randers SV"),
            ("8990", "Fårup"),
        ],
    ),
];

/// Role, e-mail, name, area code, phone.
type DemoUser = (
    Role,
    &'static str,
    &'static str,
    Option<&'static str>,
    Option<&'static str>,
);

/// Staff. The first six are the original one login per role; the therapists
/// make two per area.
#[rustfmt::skip]
const USERS: [DemoUser; 11] = [
    (Role::Admin, "admin@depot.invalid", "Anne Admin", None, None),
    (Role::Depot, "depot@depot.invalid", "Dennis Depot", None, Some("+4589151500")),
    (Role::Coordinator, "koordinator@depot.invalid", "Karin Koordinator", None, Some("+4578451200")),
    (Role::Therapist, "terapeut.nord@depot.invalid", "Tina Terapeut", Some("nord"), Some("+4589151011")),
    (Role::Visitator, "visitator@depot.invalid", "Villy Visitator", None, Some("+4589151520")),
    (Role::Driver, "chauffoer@depot.invalid", "Carsten Chauffør", None, Some("+4521436587")),
    (Role::Therapist, "terapeut2.nord@depot.invalid", "Mette Fysioterapeut", Some("nord"), Some("+4589151012")),
    (Role::Therapist, "terapeut.syd@depot.invalid", "Sofie Ergoterapeut", Some("syd"), Some("+4589152021")),
    (Role::Therapist, "terapeut2.syd@depot.invalid", "Lars Fysioterapeut", Some("syd"), Some("+4589152022")),
    (Role::Therapist, "terapeut.vest@depot.invalid", "Vibeke Ergoterapeut", Some("vest"), Some("+4589153031")),
    (Role::Therapist, "terapeut2.vest@depot.invalid", "Jonas Fysioterapeut", Some("vest"), Some("+4589153032")),
];

/// The catalogue: ISO 9999 class, name, Kvik Service, volume, minutes at the
/// door, units in stock. The code is the class with dashes and a running number
/// ("12-06-06-01"), the way the depot numbers its catalogue.
#[rustfmt::skip]
const PRODUCTS: [(&str, &str, bool, i32, i32, u32); 44] = [
    ("12 06 06", "Rollator, standard", true, 2, 5, 12),
    ("12 06 06", "Rollator, letvægt", true, 2, 5, 8),
    ("12 06 06", "Rollator, indendørs (smal)", true, 2, 5, 6),
    ("12 06 06", "Rollator, bariatrisk (til 200 kg)", false, 2, 5, 3),
    ("12 06 03", "Gangstativ", true, 2, 5, 4),
    ("12 06 12", "Gangbord med bakke", false, 3, 10, 3),
    ("12 03 06", "Albuestokke, justerbare (par)", true, 1, 3, 10),
    ("12 03 06", "Armstokke med underarmsstøtte (par)", true, 1, 3, 4),
    ("12 03 03", "Stok med anatomisk greb", true, 1, 3, 8),
    ("12 03 16", "Firpunktsstok", true, 1, 3, 5),
    ("09 33 03", "Badebænk, højdejusterbar", true, 1, 5, 10),
    ("09 33 03", "Badestol med ryg og armlæn", true, 1, 5, 8),
    ("09 33 03", "Badetaburet", true, 1, 3, 6),
    ("09 33 03", "Badekarbræt", true, 1, 3, 5),
    ("09 12 03", "Bade- og toiletstol med hjul", false, 3, 10, 5),
    ("09 12 03", "Toiletstol med spand", true, 2, 5, 5),
    ("09 12 15", "Toiletforhøjer, 10 cm", true, 1, 3, 12),
    ("09 12 15", "Toiletforhøjer med armlæn", true, 1, 5, 8),
    ("09 12 24", "Toiletarmstøtte, fritstående", true, 1, 5, 6),
    ("18 12 10", "Plejeseng, elektrisk 90 x 200 cm", false, 30, 45, 8),
    ("18 12 10", "Plejeseng, lavseng", false, 30, 45, 4),
    ("18 12 10", "Plejeseng, bariatrisk 120 cm", false, 35, 60, 2),
    ("04 33 06", "Tryksårsforebyggende madras, skum", false, 4, 10, 8),
    ("04 33 06", "Tryksårsforebyggende madras, vekseltryk", false, 5, 20, 4),
    ("04 33 03", "Kørestolspude, skum", true, 1, 3, 8),
    ("04 33 03", "Kørestolspude, luftceller", false, 1, 5, 4),
    ("12 36 12", "Loftlift, skinnesystem", false, 15, 60, 3),
    ("12 36 03", "Gulvlift, mobil", false, 15, 45, 4),
    ("12 36 04", "Rejselift (ståløfter)", false, 10, 30, 3),
    ("12 36 21", "Liftsejl, str. M", false, 1, 5, 6),
    ("12 36 21", "Liftsejl, str. L", false, 1, 5, 4),
    ("12 22 03", "Kørestol, manuel standard", false, 8, 15, 6),
    ("12 22 03", "Kørestol, letvægt", false, 8, 15, 4),
    ("12 22 18", "Transportkørestol", false, 8, 10, 4),
    ("12 31 03", "Glidebræt", true, 1, 3, 6),
    ("12 31 03", "Glidestykke (vendelagen)", true, 1, 3, 8),
    ("12 31 06", "Drejeskive til forflytning", true, 1, 3, 4),
    ("24 21 03", "Gribetang, 60 cm", true, 1, 3, 15),
    ("24 21 03", "Gribetang, 80 cm", true, 1, 3, 8),
    ("09 09 03", "Strømpepåtager", true, 1, 3, 10),
    ("09 09 06", "Skohorn med langt skaft", true, 1, 3, 6),
    ("18 03 15", "Sengebord med hjul", true, 2, 5, 5),
    ("18 18 06", "Støttehåndtag med sugekopper", true, 1, 3, 8),
    ("18 30 15", "Rampe, transportabel 1 m", false, 2, 10, 3),
];

/// Where demo citizens live: postal code, city, centre (lat, lon), streets, and
/// how many addresses to make there. Most are in Randers itself; a few in the
/// towns around it.
type Place = (
    &'static str,
    &'static str,
    (f64, f64),
    &'static [&'static str],
    u32,
);
#[rustfmt::skip]
const PLACES: [Place; 10] = [
    ("8900", "Randers C", (56.4607, 10.0364), &[
        "Vestergade", "Østergade", "Storegade", "Brødregade", "Middelgade", "Houmeden", "Jernbanegade",
        "Nørregade", "Rosengade", "Vester Allé", "Østervold", "Toldbodgade", "Fischersgade",
    ], 14),
    ("8930", "Randers NØ", (56.4760, 10.0690), &["Hadsundvej", "Mariagervej", "Dronningborg Boulevard", "Tjærbyvej", "Lindevej", "Kastanievej"], 8),
    ("8920", "Randers NV", (56.4745, 9.9960), &["Hobrovej", "Bjellerupvej", "Ølstedvej", "Hvidemøllevej", "Birkevej"], 7),
    ("8940", "Randers SV", (56.4440, 9.9980), &["Viborgvej", "Vorup Boulevard", "Langåvej", "Engvej", "Vorupvej"], 7),
    ("8960", "Randers SØ", (56.4460, 10.0790), &["Århusvej", "Kristrupvej", "Grenåvej", "Bøgevej", "Romaltvej"], 6),
    ("8870", "Langå", (56.3905, 9.8955), &["Bredgade", "Stationsvej", "Skolegade"], 3),
    ("8981", "Spentrup", (56.5350, 10.0390), &["Hovedgaden", "Gl. Hadsundvej"], 2),
    ("8970", "Havndal", (56.6370, 10.1930), &["Havndal Bygade"], 1),
    ("8983", "Gjerlev J", (56.5830, 10.1440), &["Gjerlev Bygade"], 1),
    ("8990", "Fårup", (56.5480, 9.8500), &["Fårupvej"], 1),
];

#[rustfmt::skip]
const WOMEN: [&str; 26] = [
    "Karen", "Inger", "Kirsten", "Hanne", "Grethe", "Ruth", "Else", "Bente", "Birthe", "Lis", "Jytte", "Anna",
    "Ellen", "Gerda", "Lone", "Susanne", "Annelise", "Dorthe", "Ingrid", "Aase", "Edith", "Tove", "Marianne", "Åse",
    "Jonna", "Elly",
];
#[rustfmt::skip]
const MEN: [&str; 26] = [
    "Jens", "Niels", "Poul", "Hans", "Jørgen", "Erik", "Ole", "Knud", "Kurt", "Svend", "Bent", "Leif", "Arne", "Finn",
    "Henning", "Preben", "Børge", "Aage", "Ib", "Mogens", "Per", "Carl", "Frede", "Søren", "Villy", "Egon",
];
#[rustfmt::skip]
const SURNAMES: [&str; 34] = [
    "Jensen", "Nielsen", "Hansen", "Pedersen", "Andersen", "Christensen", "Larsen", "Sørensen", "Rasmussen",
    "Jørgensen", "Petersen", "Madsen", "Kristensen", "Olsen", "Thomsen", "Poulsen", "Johansen", "Møller", "Mortensen",
    "Knudsen", "Østergaard", "Damgaard", "Holm", "Bach", "Kjær", "Lund", "Skov", "Mikkelsen", "Frandsen",
    "Søndergaard", "Ågaard", "Kjærgaard", "Bøgh", "Vestergaard",
];

#[rustfmt::skip]
const YOUNG_WOMEN: [&str; 10] = ["Mette", "Camilla", "Louise", "Maria", "Sanne", "Helle", "Pia", "Tina", "Rikke", "Line"];
#[rustfmt::skip]
const YOUNG_MEN: [&str; 10] = ["Mads", "Rasmus", "Martin", "Thomas", "Kasper", "Michael", "Lars", "Anders", "Peter", "Brian"];

/// How many citizens get a spouse at the same address.
const COUPLES: usize = 10;

/// A linear congruential generator (Knuth's MMIX constants): deterministic demo data
/// without another crate.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u32 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        u32::try_from(self.0 >> 33).unwrap_or(0)
    }

    /// A number in `0..n` (n > 0).
    fn below(&mut self, n: u32) -> u32 {
        self.next() % n.max(1)
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        let len = u32::try_from(items.len()).unwrap_or(u32::MAX);
        &items[self.below(len) as usize]
    }

    /// True with the given chance in percent.
    fn chance(&mut self, percent: u32) -> bool {
        self.below(100) < percent
    }

    /// A uniform number in `-1.0..1.0`.
    fn unit(&mut self) -> f64 {
        f64::from(self.below(20_001)) / 10_000.0 - 1.0
    }
}

/// Seeds everything when there are no areas yet; returns the logins (empty when
/// the database already had data).
pub async fn seed_if_empty(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
) -> Result<Vec<DemoLogin>, AppError> {
    if area::Entity::find().count(db).await? > 0 {
        return Ok(Vec::new());
    }
    let password_hash = tokio::task::spawn_blocking(|| hash_password(DEMO_PASSWORD))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))??;
    let mut rng = Lcg(0x5EED_8900_2026);
    let tx = crate::db::begin_write(db).await?;
    let area_ids = seed_areas(&tx).await?;
    let logins = seed_users(&tx, &area_ids, &password_hash, now).await?;
    seed_products(&tx, &mut rng, now).await?;
    seed_citizens(&tx, &mut rng, now).await?;
    crate::loans::seed_demo_loans(&tx, now).await?;
    crate::kvik::seed_demo_kvik(&tx, now).await?;
    crate::orders::demo::seed_demo_orders(&tx, now).await?;
    crate::delivery::seed_demo_fleet(&tx, now).await?;
    tx.commit().await?;
    Ok(logins)
}

async fn seed_areas(
    tx: &impl sea_orm::ConnectionTrait,
) -> Result<Vec<(&'static str, i32)>, AppError> {
    let mut ids = Vec::new();
    for (code, name, phone, postcodes) in AREAS {
        let saved = area::ActiveModel {
            code: Set(code.to_owned()),
            name: Set(name.to_owned()),
            slip_phone: Set(phone.to_owned()),
            list_recipients: Set(format!("terapeuter.{code}@randers.invalid")),
            list_cadence: Set("biweekly".to_owned()),
            ..Default::default()
        }
        .insert(tx)
        .await?;
        area_postcode::Entity::insert_many(postcodes.iter().map(|(postal_code, city)| {
            area_postcode::ActiveModel {
                postal_code: Set((*postal_code).to_owned()),
                area_id: Set(saved.id),
                city: Set((*city).to_owned()),
            }
        }))
        .exec_without_returning(tx)
        .await?;
        ids.push((code, saved.id));
    }
    Ok(ids)
}

async fn seed_users(
    tx: &impl sea_orm::ConnectionTrait,
    area_ids: &[(&'static str, i32)],
    password_hash: &str,
    now: DateTime<Utc>,
) -> Result<Vec<DemoLogin>, AppError> {
    let area_id = |code: &str| area_ids.iter().find(|(c, _)| *c == code).map(|(_, id)| *id);
    let mut logins = Vec::new();
    let mut models = Vec::new();
    for (role, email, name, area_code, phone) in USERS {
        models.push(user::ActiveModel {
            email: Set(email.to_owned()),
            name: Set(name.to_owned()),
            role: Set(role.as_str().to_owned()),
            area_id: Set(area_code.and_then(area_id)),
            phone: Set(phone.map(str::to_owned)),
            password_hash: Set(password_hash.to_owned()),
            active: Set(true),
            created_at: Set(now),
            ..Default::default()
        });
        logins.push(DemoLogin {
            role: role.as_str(),
            email: email.to_owned(),
            password: DEMO_PASSWORD.to_owned(),
        });
    }
    user::Entity::insert_many(models)
        .exec_without_returning(tx)
        .await?;
    Ok(logins)
}

async fn seed_products(
    tx: &impl sea_orm::ConnectionTrait,
    rng: &mut Lcg,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let mut running: Vec<(&str, u32)> = Vec::new();
    let mut serial = 204_100u32;
    let mut units = Vec::new();
    for (iso, name, kvik, volume, minutes, stock) in PRODUCTS {
        let number = match running.iter_mut().find(|(class, _)| *class == iso) {
            Some((_, n)) => {
                *n += 1;
                *n
            }
            None => {
                running.push((iso, 1));
                1
            }
        };
        let code = format!("{}-{number:02}", iso.replace(' ', "-"));
        let saved = product::ActiveModel {
            code: Set(code),
            name: Set(name.to_owned()),
            iso9999: Set(iso.to_owned()),
            kvik_eligible: Set(kvik),
            volume: Set(volume),
            service_minutes: Set(minutes),
            active: Set(true),
            ..Default::default()
        }
        .insert(tx)
        .await?;
        for _ in 0..stock {
            serial += 1 + rng.below(7);
            let status = match rng.below(100) {
                0..=79 => "available",
                80..=91 => "cleaning",
                _ => "repair",
            };
            units.push(unit::ActiveModel {
                product_id: Set(saved.id),
                serial: Set(format!("RH-{serial}")),
                status: Set(status.to_owned()),
                updated_at: Set(now - Duration::days(i64::from(rng.below(400)))),
                ..Default::default()
            });
        }
    }
    unit::Entity::insert_many(units)
        .exec_without_returning(tx)
        .await?;
    Ok(())
}

/// A valid CPR number: a real birth date, the century digit that goes with the
/// year, and an odd last digit for men, even for women.
fn demo_cpr(rng: &mut Lcg, born: NaiveDate, man: bool) -> String {
    let year = born.year();
    // 1900-1999: 0-3 always fit; 2000-2036 need 4 or 9.
    let century_digit = if year >= 2000 { 4 } else { rng.below(4) };
    let middle = rng.below(100);
    let last = rng.below(5) * 2 + u32::from(man);
    format!("{}{century_digit}{middle:02}{last}", born.format("%d%m%y"))
}

fn demo_phone(rng: &mut Lcg) -> Option<String> {
    match rng.below(10) {
        0 => None,
        1..=4 => Some(format!("+45864{:05}", rng.below(100_000))),
        _ => {
            let prefix = *rng.pick(&[
                20u32, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 40, 41, 42, 50, 51, 52, 53, 61,
            ]);
            Some(format!("+45{prefix}{:06}", rng.below(1_000_000)))
        }
    }
}

fn demo_address(rng: &mut Lcg, place: &Place) -> (AddressInput, (f64, f64)) {
    let (postal_code, city, (lat, lon), streets, _) = *place;
    let street = rng.pick(streets);
    let mut number = (1 + rng.below(if postal_code == "8900" { 60 } else { 140 })).to_string();
    if rng.chance(12) {
        number.push(*rng.pick(&['A', 'B', 'C']));
    }
    // Flats in the town centre, houses elsewhere.
    let (floor, door) = if postal_code == "8900" && rng.chance(70) {
        let floor = rng.pick(&["st", "1", "2", "3", "4"]).to_string();
        let door = rng.pick(&["tv", "th", "mf"]).to_string();
        (Some(floor), Some(door))
    } else {
        (None, None)
    };
    // Randers itself within about 1.5 km of the district's centre, villages closer.
    let radius = if city.starts_with("Randers") {
        0.014
    } else {
        0.006
    };
    let coords = (lat + rng.unit() * radius, lon + rng.unit() * radius * 1.8);
    let input = AddressInput {
        street: (*street).to_owned(),
        house_number: number,
        floor,
        door,
        postal_code: postal_code.to_owned(),
        city: city.to_owned(),
    };
    (input, coords)
}

async fn seed_citizens(
    tx: &impl sea_orm::ConnectionTrait,
    rng: &mut Lcg,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let earliest = NaiveDate::from_ymd_opt(1926, 1, 1)
        .ok_or_else(|| AppError::Internal("demo date".to_owned()))?;
    let mut used_cprs = HashSet::new();
    let mut citizens = Vec::new();
    let mut households = 0usize;
    for place in &PLACES {
        for _ in 0..place.4 {
            let (address, coords) = demo_address(rng, place);
            let saved = find_or_create_address(tx, &address, Some(coords)).await?;
            let surname = *rng.pick(&SURNAMES);
            // Every fifth household is an elderly couple (spouses share the address).
            let couple = households.is_multiple_of(5) && households / 5 < COUPLES;
            households += 1;
            // Mostly the elderly; some younger citizens after an operation.
            let days = if couple || rng.chance(85) {
                rng.below(365 * 35)
            } else {
                365 * 40 + rng.below(365 * 30)
            };
            let born = earliest + Duration::days(i64::from(days));
            let man = rng.chance(45);
            let mut members = vec![(born, man)];
            if couple {
                let spouse_born =
                    born + Duration::days(i64::from(rng.below(365 * 6))) - Duration::days(365 * 3);
                members.push((spouse_born, !man));
            }
            for (born, man) in members {
                let young = born.year() >= 1966;
                let first = match (man, young) {
                    (true, false) => *rng.pick(&MEN),
                    (false, false) => *rng.pick(&WOMEN),
                    (true, true) => *rng.pick(&YOUNG_MEN),
                    (false, true) => *rng.pick(&YOUNG_WOMEN),
                };
                let middle = if rng.chance(20) {
                    format!(" {}", rng.pick(&SURNAMES))
                } else {
                    String::new()
                };
                let mut cpr = demo_cpr(rng, born, man);
                while !used_cprs.insert(cpr.clone()) {
                    cpr = demo_cpr(rng, born, man);
                }
                let created = now - Duration::days(i64::from(30 + rng.below(900)));
                citizens.push(citizen::ActiveModel {
                    cpr: Set(cpr),
                    name: Set(format!("{first}{middle} {surname}")),
                    phone: Set(demo_phone(rng)),
                    address_id: Set(Some(saved.id)),
                    created_at: Set(created),
                    updated_at: Set(created),
                    ..Default::default()
                });
            }
        }
    }
    // A foreign patient known only by the hospital's replacement number (e-CPR).
    let (address, coords) = demo_address(rng, &PLACES[0]);
    let saved = find_or_create_address(tx, &address, Some(coords)).await?;
    citizens.push(citizen::ActiveModel {
        cpr: Set("1107441KR7".to_owned()),
        name: Set("Peter Miller".to_owned()),
        phone: Set(None),
        address_id: Set(Some(saved.id)),
        created_at: Set(now - Duration::days(3)),
        updated_at: Set(now - Duration::days(3)),
        ..Default::default()
    });
    citizen::Entity::insert_many(citizens)
        .exec_without_returning(tx)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Cpr;

    #[test]
    fn demo_cpr_numbers_are_valid_and_carry_the_gender() {
        let mut rng = Lcg(1);
        let mut day = NaiveDate::from_ymd_opt(1926, 1, 1).unwrap();
        for i in 0..1000 {
            let man = i % 2 == 0;
            let cpr = demo_cpr(&mut rng, day, man);
            let parsed = Cpr::parse(&cpr).unwrap_or_else(|e| panic!("{cpr}: {e}"));
            assert_eq!(parsed.birth_date(), Some(day), "{cpr}");
            let last = cpr.as_bytes()[9] - b'0';
            assert_eq!(last % 2 == 1, man);
            day += Duration::days(37);
        }
    }

    #[test]
    fn demo_addresses_are_valid_and_near_randers() {
        let mut rng = Lcg(7);
        for place in &PLACES {
            for _ in 0..50 {
                let (address, (lat, lon)) = demo_address(&mut rng, place);
                assert!(address.validate("").is_empty(), "{address:?}");
                // Within about 25 km of Randers C.
                assert!(
                    (lat - 56.4607).abs() < 0.25 && (lon - 10.0364).abs() < 0.3,
                    "{lat},{lon}"
                );
            }
        }
    }

    #[test]
    fn the_generator_is_deterministic() {
        let (mut a, mut b) = (Lcg(42), Lcg(42));
        let xs: Vec<u32> = (0..10).map(|_| a.below(1000)).collect();
        let ys: Vec<u32> = (0..10).map(|_| b.below(1000)).collect();
        assert_eq!(xs, ys);
        assert!(xs.iter().any(|x| *x != xs[0]));
    }

    #[test]
    fn product_codes_and_classes_are_well_formed() {
        for (iso, name, _, volume, minutes, stock) in PRODUCTS {
            assert_eq!(iso.len(), 8, "{name}");
            assert!(volume > 0 && minutes > 0 && stock > 0, "{name}");
        }
    }

    #[tokio::test]
    async fn the_demo_is_seeded_once_and_is_believable() {
        use entity::address;
        use sea_orm::{ColumnTrait, QueryFilter};
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}?mode=rwc", dir.path().join("demo.db").display());
        let db = crate::db::connect(&url).await.unwrap();
        crate::db::migrate(&db).await.unwrap();
        let now = DateTime::parse_from_rfc3339("2026-11-23T10:00:00Z")
            .unwrap()
            .to_utc();
        let logins = seed_if_empty(&db, now).await.unwrap();
        assert_eq!(logins.len(), USERS.len());
        assert!(seed_if_empty(&db, now).await.unwrap().is_empty());

        let citizens = citizen::Entity::find().all(&db).await.unwrap();
        assert!(citizens.len() >= 60);
        assert!(citizens.iter().all(|c| Cpr::parse(&c.cpr).is_ok()));
        let addresses: HashSet<_> = citizens.iter().filter_map(|c| c.address_id).collect();
        assert!(
            addresses.len() < citizens.len(),
            "some spouses share an address"
        );
        let without_coords = address::Entity::find()
            .filter(address::Column::Lat.is_null())
            .count(&db)
            .await
            .unwrap();
        assert_eq!(without_coords, 0);
        assert_eq!(
            product::Entity::find().count(&db).await.unwrap(),
            PRODUCTS.len() as u64
        );
        let rollator = product::Entity::find()
            .filter(product::Column::Code.eq("12-06-06-01"))
            .one(&db)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            (
                rollator.iso9999.as_str(),
                rollator.volume,
                rollator.kvik_eligible
            ),
            ("12 06 06", 2, true)
        );
        let units = unit::Entity::find().all(&db).await.unwrap();
        // Most units are in stock or out on the demo loans; a few are being cleaned or repaired.
        let in_use = units
            .iter()
            .filter(|u| u.status == "available" || u.status == "on_loan")
            .count();
        assert!(in_use * 10 > units.len() * 7);
        assert!(units.iter().any(|u| u.status == "available"));
        assert!(units.iter().any(|u| u.status == "repair"));

        let therapist = crate::auth::store::find_user_by_email(&db, "terapeut.vest@depot.invalid")
            .await
            .unwrap()
            .unwrap();
        assert!(crate::auth::verify_password(
            DEMO_PASSWORD,
            &therapist.password_hash
        ));
        assert!(therapist.area_id.is_some() && therapist.phone.is_some());
    }
}
