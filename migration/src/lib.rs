//! Schema migrations. Each migration has an `up` and a `down`; `depot serve` and
//! `depot migrate` apply the pending ones at start.

pub use sea_orm_migration::prelude::*;

mod m20261123_000001_foundation;
mod m20261123_000002_outbox;
mod m20261123_000003_operations;
mod m20261123_000015_kvik_settings;
mod m20261123_000017_delivery_stats;
mod m20261123_000020_order_list_indexes;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261123_000001_foundation::Migration),
            Box::new(m20261123_000002_outbox::Migration),
            Box::new(m20261123_000003_operations::Migration),
            Box::new(m20261123_000015_kvik_settings::Migration),
            Box::new(m20261123_000017_delivery_stats::Migration),
            Box::new(m20261123_000020_order_list_indexes::Migration),
        ]
    }
}

/// A foreign key from `table.column` to `target.id`.
pub(crate) fn fk(
    table: &'static str,
    column: &'static str,
    target: &'static str,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(format!("fk_{table}_{column}"))
        .from(table, column)
        .to(target, "id")
        .to_owned()
}

/// An index on `table(columns...)`.
pub(crate) fn index(table: &'static str, columns: &[&'static str]) -> IndexCreateStatement {
    let mut stmt = Index::create();
    stmt.name(format!("ix_{table}_{}", columns.join("_")))
        .table(table);
    for column in columns {
        stmt.col(*column);
    }
    stmt.to_owned()
}
