//! The base model: areas and their postal codes, users, tokens, sessions, citizens,
//! addresses, products, units and the audit log.

use sea_orm_migration::{prelude::*, schema::*};

use crate::{fk, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

const TABLES: [&str; 10] = [
    "audit_event",
    "unit",
    "product",
    "citizen",
    "address",
    "session",
    "api_token",
    "app_user",
    "area_postcode",
    "area",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("area")
                .col(pk_auto("id"))
                .col(string_uniq("code"))
                .col(string("name"))
                .col(string("slip_phone"))
                .col(text("list_recipients"))
                .col(string("list_cadence"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("area_postcode")
                .col(string("postal_code").primary_key())
                .col(integer("area_id"))
                .col(string("city"))
                .foreign_key(&mut fk("area_postcode", "area_id", "area"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("app_user")
                .col(pk_auto("id"))
                .col(string_uniq("email"))
                .col(string("name"))
                .col(string("role"))
                .col(integer_null("area_id"))
                .col(string_null("phone"))
                .col(string("password_hash"))
                .col(boolean("active"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut fk("app_user", "area_id", "area"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("api_token")
                .col(pk_auto("id"))
                .col(integer("user_id"))
                .col(string_uniq("token_hash"))
                .col(string("label"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone_null("last_used_at"))
                .col(boolean("revoked"))
                .foreign_key(&mut fk("api_token", "user_id", "app_user"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("session")
                .col(string("id_hash").primary_key())
                .col(integer("user_id"))
                .col(string("csrf_token"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("last_seen_at"))
                .col(timestamp_with_time_zone("expires_at"))
                .foreign_key(&mut fk("session", "user_id", "app_user"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("session", &["user_id"])).await?;
        m.create_table(
            Table::create()
                .table("address")
                .col(pk_auto("id"))
                .col(string("street"))
                .col(string("house_number"))
                .col(string_null("floor"))
                .col(string_null("door"))
                .col(string("postal_code"))
                .col(string("city"))
                .col(double_null("lat"))
                .col(double_null("lon"))
                .col(string_uniq("norm_key"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("citizen")
                .col(pk_auto("id"))
                .col(string_uniq("cpr"))
                .col(string("name"))
                .col(string_null("phone"))
                .col(integer_null("address_id"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .foreign_key(&mut fk("citizen", "address_id", "address"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("product")
                .col(pk_auto("id"))
                .col(string_uniq("code"))
                .col(string("name"))
                .col(string("iso9999"))
                .col(boolean("kvik_eligible"))
                .col(integer("volume"))
                .col(integer("service_minutes"))
                .col(boolean("active"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("unit")
                .col(pk_auto("id"))
                .col(integer("product_id"))
                .col(string_uniq("serial"))
                .col(string("status"))
                .col(timestamp_with_time_zone("updated_at"))
                .foreign_key(&mut fk("unit", "product_id", "product"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("unit", &["product_id", "status"]))
            .await?;
        // No foreign key to citizen: audit entries outlive deleted citizens.
        m.create_table(
            Table::create()
                .table("audit_event")
                .col(pk_auto("id"))
                .col(timestamp_with_time_zone("at"))
                .col(integer_null("actor_user_id"))
                .col(string_null("actor_role"))
                .col(string("action"))
                .col(integer_null("citizen_id"))
                .col(text("detail"))
                .col(string_null("ip"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("audit_event", &["citizen_id"]))
            .await?;
        m.create_index(index("audit_event", &["at"])).await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in TABLES {
            m.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}
