//! The outbox of emails and the ledger of scheduled jobs.

use sea_orm_migration::{prelude::*, schema::*};

use crate::index;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("outbox")
                .col(pk_auto("id"))
                .col(string_uniq("idempotency_key"))
                .col(text("recipients"))
                .col(string("subject"))
                .col(text("body_text"))
                .col(text_null("body_html"))
                .col(text_null("attachments"))
                .col(string("status"))
                .col(integer("attempts"))
                .col(timestamp_with_time_zone("next_attempt_at"))
                .col(timestamp_with_time_zone_null("lease_until"))
                .col(string_null("leased_by"))
                .col(text_null("last_error"))
                .col(string("message_id"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone_null("sent_at"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("outbox", &["status", "next_attempt_at"]))
            .await?;
        m.create_table(
            Table::create()
                .table("job_run")
                .col(pk_auto("id"))
                .col(string("job"))
                .col(string("period"))
                .col(string("status"))
                .col(string("owner"))
                .col(timestamp_with_time_zone("lease_until"))
                .col(timestamp_with_time_zone("started_at"))
                .col(timestamp_with_time_zone_null("finished_at"))
                .col(text_null("note"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("job_run", &["job", "period"]).unique().to_owned())
            .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("job_run").to_owned())
            .await?;
        m.drop_table(Table::drop().table("outbox").to_owned()).await
    }
}
