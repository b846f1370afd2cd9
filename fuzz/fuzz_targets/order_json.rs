//! The body of `POST /api/v1/orders` from arbitrary bytes, checked by
//! `check_order` under each set of rules against a small fixed catalogue and one
//! area. An accepted order has everything the depot needs to act on it, and the
//! Idempotency-Key hash does not depend on how the JSON was written.
#![no_main]

use std::collections::HashMap;

use chrono::NaiveDate;
use depot::domain::Cpr;
use depot::orders::{
    DeliveryMode, Kind, Lookups, MAX_LINES, MAX_QUANTITY, OrderInput, ProductRef, Rules,
    check_order, request_hash,
};
use libfuzzer_sys::fuzz_target;

const OURS: [&str; 2] = ["8900", "8930"];

fn lookups(postal_code: &str) -> Lookups {
    let products = [
        (1, "12-06-03-01", "Plejeseng"),
        (2, "12-22-03-01", "Rollator"),
    ]
    .into_iter()
    .map(|(id, code, name)| {
        let product = ProductRef {
            id,
            code: code.to_owned(),
            name: name.to_owned(),
        };
        (code.to_owned(), product)
    })
    .collect::<HashMap<_, _>>();
    // As `orders::store::lookups`: the area of the trimmed postal code.
    let area = OURS
        .contains(&postal_code.trim())
        .then(|| (7, "Randers C".to_owned()));
    Lookups { products, area }
}

fn blank(value: &Option<String>) -> bool {
    value.as_deref().is_none_or(|v| v.trim().is_empty())
}

fuzz_target!(|bytes: &[u8]| {
    let Ok(input) = serde_json::from_slice::<OrderInput>(bytes) else {
        return;
    };
    let today = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap_or_default();

    // The same order written again (other spacing, key order) hashes the same.
    let hash = request_hash(&input);
    if let Some(again) = serde_json::to_vec(&input)
        .ok()
        .and_then(|json| serde_json::from_slice::<OrderInput>(&json).ok())
    {
        assert_eq!(request_hash(&again), hash, "hash not canonical");
    }

    let lookups = lookups(&input.address.postal_code);
    for rules in [Rules::Hospital, Rules::Therapist, Rules::Depot] {
        let Ok(order) = check_order(&input, rules, &lookups, today) else {
            continue;
        };
        assert_eq!(order.source, rules.source());
        assert_eq!(Cpr::parse(order.cpr.as_str()).as_ref(), Ok(&order.cpr));
        assert!(!order.name.is_empty() && order.name.chars().count() <= 200);

        // Where: a complete address in our area.
        assert!(order.address.validate("").is_empty(), "{:?}", order.address);
        assert!(OURS.contains(&order.address.postal_code.as_str()));
        assert_eq!(order.area_id, 7);

        // When: hospital deliveries have the discharge time, therapists a date,
        // and nothing lies in the past.
        if rules == Rules::Hospital && order.kind == Kind::Delivery {
            assert!(
                order.discharge_at.is_some(),
                "hospital order without discharge"
            );
        }
        if rules == Rules::Therapist {
            assert!(!blank(&input.deliver_by), "therapist order without a date");
        }
        assert!(order.deliver_by >= today);
        if let Some(at) = order.discharge_at {
            assert!(depot::clock::local_date(at) >= today);
        }
        if order.kind == Kind::Pickup {
            assert_eq!(order.delivery_mode, DeliveryMode::Delivery);
        }

        // What: every line, each with a known product and a sane quantity.
        assert!(!order.lines.is_empty() && order.lines.len() <= MAX_LINES);
        assert_eq!(order.lines.len(), input.lines.len());
        for (product, quantity) in &order.lines {
            assert!(lookups.products.contains_key(&product.code));
            assert!((1..=MAX_QUANTITY).contains(&i64::from(*quantity)));
        }
        assert!(
            order
                .access_notes
                .as_deref()
                .is_none_or(|n| n.chars().count() <= 1000)
        );
    }
});
