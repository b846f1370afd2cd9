//! Orders, loans, Kvik Service and delivery runs (generated together with the
//! entities from one table list, so the two cannot drift apart).

use sea_orm_migration::{prelude::*, schema::*};

use crate::{fk, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("vehicle")
                .col(pk_auto("id"))
                .col(string("name"))
                .col(integer("capacity"))
                .col(string("shift_start"))
                .col(string("shift_end"))
                .col(double_null("start_lat"))
                .col(double_null("start_lon"))
                .col(boolean("active"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("run")
                .col(pk_auto("id"))
                .col(date("date"))
                .col(integer("vehicle_id"))
                .col(integer_null("driver_id"))
                .col(string("status"))
                .col(double("distance_km"))
                .col(integer("duration_min"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut fk("run", "vehicle_id", "vehicle"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("stop")
                .col(pk_auto("id"))
                .col(integer("run_id"))
                .col(integer("seq"))
                .col(integer("address_id"))
                .col(timestamp_with_time_zone_null("eta"))
                .col(timestamp_with_time_zone_null("window_end"))
                .col(integer("service_minutes"))
                .col(string("status"))
                .col(string_null("receiver_name"))
                .col(text_null("note"))
                .col(string_null("failure_reason"))
                .col(timestamp_with_time_zone_null("completed_at"))
                .foreign_key(&mut fk("stop", "run_id", "run"))
                .foreign_key(&mut fk("stop", "address_id", "address"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("orders")
                .col(pk_auto("id"))
                .col(string("kind"))
                .col(string("source"))
                .col(integer("citizen_id"))
                .col(integer("address_id"))
                .col(timestamp_with_time_zone_null("discharge_at"))
                .col(date_null("deliver_by"))
                .col(string("delivery_mode"))
                .col(string("legal_basis"))
                .col(string("status"))
                .col(text_null("access_notes"))
                .col(string_null("contact_phone"))
                .col(text_null("notes"))
                .col(integer("ordered_by"))
                .col(string_null("idempotency_key"))
                .col(string_null("request_hash"))
                .col(integer_null("loan_id"))
                .col(integer_null("stop_id"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .col(timestamp_with_time_zone_null("completed_at"))
                .foreign_key(&mut fk("orders", "citizen_id", "citizen"))
                .foreign_key(&mut fk("orders", "address_id", "address"))
                .foreign_key(&mut fk("orders", "ordered_by", "app_user"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("order_line")
                .col(pk_auto("id"))
                .col(integer("order_id"))
                .col(integer("product_id"))
                .col(integer("quantity"))
                .col(integer_null("unit_id"))
                .foreign_key(&mut fk("order_line", "order_id", "orders"))
                .foreign_key(&mut fk("order_line", "product_id", "product"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("order_event")
                .col(pk_auto("id"))
                .col(integer("order_id"))
                .col(timestamp_with_time_zone("at"))
                .col(integer_null("actor_user_id"))
                .col(string_null("from_status"))
                .col(string("to_status"))
                .col(text_null("note"))
                .foreign_key(&mut fk("order_event", "order_id", "orders"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("loan")
                .col(pk_auto("id"))
                .col(integer("citizen_id"))
                .col(integer("product_id"))
                .col(integer_null("unit_id"))
                .col(integer_null("order_id"))
                .col(integer("area_id"))
                .col(string("legal_basis"))
                .col(date("start_date"))
                .col(date_null("due_date"))
                .col(string("status"))
                .col(date_null("returned_on"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .foreign_key(&mut fk("loan", "citizen_id", "citizen"))
                .foreign_key(&mut fk("loan", "product_id", "product"))
                .foreign_key(&mut fk("loan", "area_id", "area"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("loan_event")
                .col(pk_auto("id"))
                .col(integer("loan_id"))
                .col(timestamp_with_time_zone("at"))
                .col(integer_null("actor_user_id"))
                .col(string("kind"))
                .col(date_null("old_due"))
                .col(date_null("new_due"))
                .col(text_null("note"))
                .foreign_key(&mut fk("loan_event", "loan_id", "loan"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("overdue_snapshot")
                .col(pk_auto("id"))
                .col(integer("area_id"))
                .col(string("period"))
                .col(timestamp_with_time_zone("taken_at"))
                .col(integer("count"))
                .col(integer("band_1_30"))
                .col(integer("band_31_90"))
                .col(integer("band_91_180"))
                .col(integer("band_over_180"))
                .foreign_key(&mut fk("overdue_snapshot", "area_id", "area"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("kvik_opening")
                .col(pk_auto("id"))
                .col(integer("weekday"))
                .col(string("opens"))
                .col(string("closes"))
                .col(integer("slot_minutes"))
                .col(integer("capacity"))
                .col(boolean("active"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("kvik_closed_date")
                .col(pk_auto("id"))
                .col(date_uniq("date"))
                .col(string("reason"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("kvik_slot")
                .col(pk_auto("id"))
                .col(timestamp_with_time_zone_uniq("slot_start"))
                .col(integer("booked"))
                .col(integer("capacity"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("kvik_booking")
                .col(pk_auto("id"))
                .col(timestamp_with_time_zone_null("slot_start"))
                .col(string("name"))
                .col(string("phone"))
                .col(string_null("email"))
                .col(text("need"))
                .col(string_null("aids"))
                .col(boolean("walk_in"))
                .col(string("status"))
                .col(string_null("cancel_token_hash"))
                .col(timestamp_with_time_zone_null("arrived_at"))
                .col(string_null("outcome"))
                .col(text_null("outcome_note"))
                .col(integer_null("loan_id"))
                .col(integer_null("handled_by"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("orders", &["status", "deliver_by"]))
            .await?;
        m.create_index(index("orders", &["address_id"])).await?;
        m.create_index(index("orders", &["citizen_id"])).await?;
        m.create_index(index("orders", &["ordered_by", "created_at"]))
            .await?;
        m.create_index(index("order_line", &["order_id"])).await?;
        m.create_index(index("order_event", &["order_id"])).await?;
        m.create_index(index("loan", &["status", "area_id", "due_date"]))
            .await?;
        m.create_index(index("loan", &["citizen_id"])).await?;
        m.create_index(index("loan_event", &["loan_id"])).await?;
        m.create_index(index("kvik_booking", &["slot_start"]))
            .await?;
        m.create_index(index("kvik_booking", &["created_at"]))
            .await?;
        m.create_index(index("run", &["date"])).await?;
        m.create_index(index("stop", &["run_id", "seq"])).await?;
        m.create_index(
            index("orders", &["ordered_by", "idempotency_key"])
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(
            index("overdue_snapshot", &["area_id", "period"])
                .unique()
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            "kvik_booking",
            "kvik_slot",
            "kvik_closed_date",
            "kvik_opening",
            "overdue_snapshot",
            "loan_event",
            "loan",
            "order_event",
            "order_line",
            "orders",
            "stop",
            "run",
            "vehicle",
        ] {
            m.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}
