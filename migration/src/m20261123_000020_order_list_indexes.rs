//! Indexes for the order lists, which show orders by wanted date
//! (`ORDER BY deliver_by, id LIMIT n`). Without them the depot's unfiltered list
//! and an orderer's own list sorted every order on each view: at 200,000 orders
//! that was the slowest request of the load benchmark (`bench/load.sh`).

use sea_orm_migration::prelude::*;

use crate::index;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_index(index("orders", &["deliver_by", "id"]))
            .await?;
        m.create_index(index("orders", &["ordered_by", "deliver_by", "id"]))
            .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for name in [
            "ix_orders_deliver_by_id",
            "ix_orders_ordered_by_deliver_by_id",
        ] {
            m.drop_index(Index::drop().name(name).table("orders").to_owned())
                .await?;
        }
        Ok(())
    }
}
