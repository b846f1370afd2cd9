//! Delivery runs: which orders each stop served (kept after a failed stop sends
//! its orders back to planning) and a log of each planning of a day (orders,
//! stops, merges and drives saved) for the statistics.

use sea_orm_migration::{prelude::*, schema::*};

use crate::{fk, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("stop_order")
                .col(pk_auto("id"))
                .col(integer("stop_id"))
                .col(integer("order_id"))
                .col(string("kind"))
                .col(date_null("pulled_from"))
                .foreign_key(&mut fk("stop_order", "stop_id", "stop"))
                // Deleting an order (retention) removes its link to the stop.
                .foreign_key(
                    &mut fk("stop_order", "order_id", "orders")
                        .on_delete(ForeignKeyAction::Cascade)
                        .to_owned(),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(index("stop_order", &["stop_id"])).await?;
        m.create_index(index("stop_order", &["order_id"])).await?;
        m.create_table(
            Table::create()
                .table("planning_log")
                .col(pk_auto("id"))
                .col(date("date"))
                .col(timestamp_with_time_zone("planned_at"))
                .col(integer("orders"))
                .col(integer("stops"))
                .col(integer("runs"))
                .col(integer("drives_saved"))
                .col(text("details"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("planning_log", &["date"])).await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("planning_log").to_owned())
            .await?;
        m.drop_table(Table::drop().table("stop_order").to_owned())
            .await
    }
}
