//! `/`: the start page of the logged-in role, with what that person needs first.

use axum::extract::State;
use axum::response::Response;
use entity::{area, citizen, product, unit};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

use crate::auth::{Access, Role};
use crate::routes::{RouteDef, get};
use crate::state::AppState;
use crate::web::{CurrentUser, PageContext, PageError, render};

pub fn routes() -> Vec<RouteDef> {
    vec![get("/", Access::Staff, start_page)]
}

/// A figure with a link, shown as a card.
pub struct Card {
    pub href: &'static str,
    pub label: &'static str,
    pub figure: String,
}

#[derive(askama::Template)]
#[template(path = "home/start.html")]
struct StartPage {
    ctx: PageContext,
    heading: &'static str,
    intro: String,
    cards: Vec<Card>,
    /// Shown to depot staff and administrators when emails are failing.
    warnings: Vec<String>,
}

async fn start_page(
    State(state): State<AppState>,
    ctx: PageContext,
    CurrentUser(user): CurrentUser,
) -> Result<Response, PageError> {
    let db = &state.db;
    let (heading, intro, cards) = match user.role {
        Role::Admin | Role::Depot => {
            let available = unit::Entity::find()
                .filter(unit::Column::Status.eq("available"))
                .count(db)
                .await?;
            let cards = vec![
                Card { href: "/citizens", label: "Borgere", figure: citizen::Entity::find().count(db).await?.to_string() },
                Card { href: "/products", label: "Hjælpemidler i kataloget", figure: product::Entity::find().count(db).await?.to_string() },
                Card { href: "/units", label: "Enheder på lager", figure: available.to_string() },
                Card { href: "/areas", label: "Områder", figure: area::Entity::find().count(db).await?.to_string() },
            ];
            ("Depotets overblik", "Dagens arbejde på depotet: bestillinger, lager og kørsler.".to_owned(), cards)
        }
        Role::Coordinator => (
            "Bestilling fra sygehus",
            "Bestil hjælpemidler til borgere, der udskrives. Udskrivelsestidspunkt og udskrivelsesadresse skal altid med.".to_owned(),
            vec![Card { href: "/citizens", label: "Find borger", figure: "Søg".to_owned() }],
        ),
        Role::Therapist => {
            let area_name = match user.area_id {
                Some(id) => area::Entity::find_by_id(id).one(db).await?.map(|a| a.name),
                None => None,
            };
            (
                "Terapeutens forside",
                format!(
                    "Område {}: lån efter Sundhedsloven §140, der skal revurderes, og bestillinger til borgere i området.",
                    area_name.unwrap_or_else(|| "ukendt".to_owned())
                ),
                vec![Card { href: "/citizens", label: "Find borger", figure: "Søg".to_owned() }],
            )
        }
        Role::Visitator => (
            "Kvik Service",
            "Dagens besøg i Kvik Service: bookede tider og borgere, der kommer uden aftale.".to_owned(),
            vec![Card { href: "/citizens", label: "Find borger", figure: "Søg".to_owned() }],
        ),
        Role::Driver => (
            "Dagens kørsel",
            "Her ser du dagens kørsel med stop i rækkefølge, og du melder hvert stop leveret eller ikke leveret.".to_owned(),
            vec![Card { href: "/driver", label: "Dagens kørsel", figure: "Åbn".to_owned() }],
        ),
    };
    let mut warnings = Vec::new();
    if matches!(user.role, Role::Admin | Role::Depot) {
        let mail = crate::notify::store::health(db).await?;
        if mail.dead > 0 {
            warnings.push(format!(
                "{} e-mail(s) kunne ikke sendes. Se E-mails.",
                mail.dead
            ));
        }
        if mail.is_stuck(state.clock.now()) {
            warnings.push(
                "E-mailkøen står stille: tjek forbindelsen til mailserveren under E-mails."
                    .to_owned(),
            );
        }
    }
    render(&StartPage {
        ctx,
        heading,
        intro,
        cards,
        warnings,
    })
}
