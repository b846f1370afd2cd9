//! `depot overdue send` and `depot import loans FILE.csv`.

use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

use crate::clock::Clock;
use crate::config::Config;
use crate::state::AppState;

async fn state(config: Config, clock: Arc<dyn Clock>) -> Result<AppState, String> {
    let db = crate::db::connect(&config.database_url)
        .await
        .map_err(|e| e.to_string())?;
    crate::db::migrate(&db).await.map_err(|e| e.to_string())?;
    Ok(AppState::new(db, clock, config))
}

/// Draws every area's list now, prints the counts and sends the emails queued
/// (and any other due ones) before returning.
pub async fn overdue_send(config: Config, clock: Arc<dyn Clock>) -> Result<ExitCode, String> {
    let state = state(config, clock).await?;
    let now = state.clock.now();
    let drawn = super::overdue::draw_and_send(&state, None, state.clock.today(), now)
        .await
        .map_err(|e| e.to_string())?;
    for d in &drawn {
        let note = if d.first_in_period {
            format!("sent to {} recipients", d.recipients)
        } else {
            "already drawn in this period; nothing sent again".to_owned()
        };
        println!(
            "{}: {} overdue loans ({}) - {note}",
            d.area, d.count, d.period
        );
    }
    let mailer = crate::notify::mailer::Mailer::from_config(&state.config.mail)
        .map_err(|e| e.to_string())?;
    // Send what is due now; emails that fail stay queued for the server's worker.
    for _ in 0..100 {
        match crate::notify::worker::tick(&state, &mailer).await {
            Ok(0) => break,
            Ok(_) => {}
            Err(e) => return Err(format!("emails stay queued: {e}")),
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Imports loans from a CSV file; prints the summary. Exit 1 when nothing was
/// imported because of errors.
pub async fn import_loans(
    config: Config,
    clock: Arc<dyn Clock>,
    file: &Path,
    partial: bool,
) -> Result<ExitCode, String> {
    let text = std::fs::read_to_string(file)
        .map_err(|e| format!("cannot read {}: {e}", file.display()))?;
    let state = state(config, clock).await?;
    let summary = super::import::import(
        &state.db,
        &text,
        partial,
        None,
        state.clock.today(),
        state.clock.now(),
    )
    .await
    .map_err(|e| e.to_string())?;
    println!("imported {} loans", summary.imported);
    for e in &summary.errors {
        println!("line {}: {}", e.line, e.message);
    }
    if summary.imported == 0 && !summary.errors.is_empty() {
        println!("nothing imported: correct the lines above (or use --partial)");
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
}
