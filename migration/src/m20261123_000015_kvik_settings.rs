//! Kvik Service settings that are not per opening: how many days ahead citizens
//! may book. One row (id 1); missing means the default.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("kvik_settings")
                .col(pk_auto("id"))
                .col(integer("horizon_days"))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("kvik_settings").to_owned())
            .await
    }
}
