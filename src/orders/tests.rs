use super::*;

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

const TODAY: &str = "2026-11-23";

fn lookups() -> Lookups {
    let mut products = HashMap::new();
    for (id, code, name) in [
        (1, "12-06-06-01", "Rollator, standard"),
        (2, "18-12-10-01", "Plejeseng, elektrisk 90 x 200 cm"),
    ] {
        products.insert(
            code.to_owned(),
            ProductRef {
                id,
                code: code.to_owned(),
                name: name.to_owned(),
            },
        );
    }
    Lookups {
        products,
        area: Some((2, "Randers C".to_owned())),
    }
}

fn hospital_input() -> OrderInput {
    OrderInput {
        kind: Some("delivery".into()),
        citizen: CitizenIn {
            cpr: "0101801234".into(),
            name: "Karen  Jensen".into(),
            phone: Some("+4586123456".into()),
        },
        address: AddressIn {
            street: "Vestergade".into(),
            house_number: "12B".into(),
            floor: Some("2".into()),
            door: Some("tv".into()),
            postal_code: "8900".into(),
            city: "Randers C".into(),
        },
        discharge_at: Some("2026-11-24T10:00:00+01:00".into()),
        deliver_by: None,
        delivery_mode: None,
        legal_basis: None,
        lines: vec![LineIn {
            product_code: "12-06-06-01".into(),
            quantity: 1,
        }],
        access_notes: Some("Nøgleboks 1234".into()),
        contact_phone: Some("12345678".into()),
    }
}

// ---------------------------------------------------------------- the machine

/// The legal moves, written out once more by hand: every other pair is illegal.
fn expected(from: Status, to: Status, mode: DeliveryMode) -> bool {
    use Status::*;
    let table: &[(Status, Status)] = match mode {
        DeliveryMode::Delivery => &[
            (Received, Confirmed),
            (Confirmed, Planned),
            (Planned, Confirmed),
            (Planned, OutForDelivery),
            (OutForDelivery, Delivered),
            (OutForDelivery, Failed),
            (Failed, Confirmed),
            (Received, Cancelled),
            (Confirmed, Cancelled),
            (Planned, Cancelled),
        ],
        DeliveryMode::SelfPickup => &[
            (Received, Confirmed),
            (Confirmed, ReadyForPickup),
            (ReadyForPickup, Delivered),
            (Received, Cancelled),
            (Confirmed, Cancelled),
            (ReadyForPickup, Cancelled),
        ],
    };
    table.contains(&(from, to))
}

#[test]
fn every_pair_of_statuses_is_legal_or_illegal_as_the_workflow_says() {
    for mode in [DeliveryMode::Delivery, DeliveryMode::SelfPickup] {
        for from in Status::ALL {
            for to in Status::ALL {
                assert_eq!(
                    transition(from, to, mode).is_ok(),
                    expected(from, to, mode),
                    "{from:?} -> {to:?} ({mode:?})"
                );
            }
        }
    }
}

#[test]
fn finished_orders_never_move_again_except_a_failed_delivery_tried_again() {
    for mode in [DeliveryMode::Delivery, DeliveryMode::SelfPickup] {
        for to in Status::ALL {
            assert!(transition(Status::Delivered, to, mode).is_err());
            assert!(transition(Status::Cancelled, to, mode).is_err());
        }
    }
    assert!(transition(Status::Failed, Status::Confirmed, DeliveryMode::Delivery).is_ok());
    assert!(transition(Status::Failed, Status::Delivered, DeliveryMode::Delivery).is_err());
}

#[test]
fn self_pickups_are_never_planned_on_a_run_and_deliveries_never_wait_for_pickup() {
    assert!(transition(Status::Confirmed, Status::Planned, DeliveryMode::SelfPickup).is_err());
    assert!(
        transition(
            Status::Confirmed,
            Status::ReadyForPickup,
            DeliveryMode::Delivery
        )
        .is_err()
    );
}

#[test]
fn an_illegal_move_is_explained_in_danish() {
    let err = transition(Status::Delivered, Status::Cancelled, DeliveryMode::Delivery).unwrap_err();
    assert_eq!(
        err.to_string(),
        "En ordre kan ikke gå fra «Leveret» til «Annulleret»"
    );
}

#[test]
fn the_depot_gets_buttons_only_for_manual_moves() {
    assert_eq!(
        next_manual(Status::Received, DeliveryMode::Delivery),
        [Status::Confirmed, Status::Cancelled]
    );
    // Planning happens on the runs, not by a button.
    assert_eq!(
        next_manual(Status::Confirmed, DeliveryMode::Delivery),
        [Status::Cancelled]
    );
    assert_eq!(
        next_manual(Status::Confirmed, DeliveryMode::SelfPickup),
        [Status::ReadyForPickup, Status::Cancelled]
    );
    assert_eq!(
        next_manual(Status::ReadyForPickup, DeliveryMode::SelfPickup),
        [Status::Delivered, Status::Cancelled]
    );
}

#[test]
fn words_round_trip() {
    for s in Status::ALL {
        assert_eq!(Status::parse(s.as_str()), Some(s));
    }
    for s in [
        Source::Hospital,
        Source::Therapist,
        Source::Kvik,
        Source::Depot,
    ] {
        assert_eq!(Source::parse(s.as_str()), Some(s));
    }
    for m in [DeliveryMode::Delivery, DeliveryMode::SelfPickup] {
        assert_eq!(DeliveryMode::parse(m.as_str()), Some(m));
    }
    for k in [Kind::Delivery, Kind::Pickup] {
        assert_eq!(Kind::parse(k.as_str()), Some(k));
    }
}

// ---------------------------------------------------------------- checks

#[test]
fn a_complete_hospital_order_is_accepted_with_defaults() {
    let order = check_order(&hospital_input(), Rules::Hospital, &lookups(), d(TODAY)).unwrap();
    assert_eq!(order.source, Source::Hospital);
    assert_eq!(order.name, "Karen Jensen");
    assert_eq!(order.legal_basis, LegalBasis::Sundhedsloven140);
    assert_eq!(order.delivery_mode, DeliveryMode::Delivery);
    assert_eq!(order.kind, Kind::Delivery);
    assert_eq!(order.area_id, 2);
    assert_eq!(order.deliver_by, d("2026-11-24"));
    assert_eq!(order.contact_phone.unwrap().as_str(), "+4512345678");
    assert_eq!(order.lines[0].0.id, 1);
}

#[test]
fn the_default_delivery_date_is_the_discharge_date_in_copenhagen() {
    let mut input = hospital_input();
    // 23:30 UTC on the 24th is already the 25th in Copenhagen.
    input.discharge_at = Some("2026-11-24T23:30:00Z".into());
    let order = check_order(&input, Rules::Hospital, &lookups(), d(TODAY)).unwrap();
    assert_eq!(order.deliver_by, d("2026-11-25"));
}

#[test]
fn a_hospital_order_without_discharge_time_names_the_field() {
    let mut input = hospital_input();
    input.discharge_at = None;
    let errors = check_order(&input, Rules::Hospital, &lookups(), d(TODAY)).unwrap_err();
    assert_eq!(errors.keys().collect::<Vec<_>>(), ["discharge_at"]);
    assert!(errors["discharge_at"][0].contains("Udskrivelsestidspunkt mangler"));
}

#[test]
fn a_discharge_time_needs_an_offset() {
    let mut input = hospital_input();
    input.discharge_at = Some("2026-11-24T10:00:00".into());
    let errors = check_order(&input, Rules::Hospital, &lookups(), d(TODAY)).unwrap_err();
    assert!(errors.contains_key("discharge_at"));
}

#[test]
fn a_postal_code_outside_the_municipality_is_refused_clearly() {
    let mut input = hospital_input();
    input.address.postal_code = "2100".into();
    let mut none = lookups();
    none.area = None;
    let errors = check_order(&input, Rules::Hospital, &none, d(TODAY)).unwrap_err();
    assert_eq!(
        errors["address.postal_code"],
        ["Postnummeret hører ikke til kommunen"]
    );
}

#[test]
fn every_problem_is_reported_at_once() {
    let input = OrderInput {
        lines: vec![
            LineIn {
                product_code: "99-99".into(),
                quantity: 1,
            },
            LineIn {
                product_code: "12-06-06-01".into(),
                quantity: 21,
            },
        ],
        ..Default::default()
    };
    let mut none = lookups();
    none.area = None;
    let errors = check_order(&input, Rules::Hospital, &none, d(TODAY)).unwrap_err();
    for field in [
        "citizen.cpr",
        "citizen.name",
        "address.street",
        "address.house_number",
        "address.postal_code",
        "address.city",
        "discharge_at",
        "lines[0].product_code",
        "lines[1].quantity",
    ] {
        assert!(errors.contains_key(field), "{field}: {errors:?}");
    }
    assert_eq!(errors["lines[0].product_code"], ["Ukendt hjælpemiddel"]);
    assert!(!errors.contains_key("lines[1].product_code"));
}

#[test]
fn an_order_needs_at_least_one_aid() {
    let mut input = hospital_input();
    input.lines.clear();
    let errors = check_order(&input, Rules::Hospital, &lookups(), d(TODAY)).unwrap_err();
    assert!(errors.contains_key("lines"));
}

#[test]
fn quantities_are_one_to_twenty() {
    for (quantity, ok) in [(0, false), (1, true), (20, true), (21, false), (-1, false)] {
        let mut input = hospital_input();
        input.lines[0].quantity = quantity;
        assert_eq!(
            check_order(&input, Rules::Hospital, &lookups(), d(TODAY)).is_ok(),
            ok,
            "{quantity}"
        );
    }
}

#[test]
fn a_therapist_order_needs_a_date_that_is_not_past() {
    let mut input = hospital_input();
    input.discharge_at = None;
    let errors = check_order(&input, Rules::Therapist, &lookups(), d(TODAY)).unwrap_err();
    assert!(errors.contains_key("deliver_by"));
    input.deliver_by = Some("2026-11-22".into());
    let errors = check_order(&input, Rules::Therapist, &lookups(), d(TODAY)).unwrap_err();
    assert!(errors["deliver_by"][0].contains("før i dag"));
    input.deliver_by = Some("2026-11-23".into());
    let order = check_order(&input, Rules::Therapist, &lookups(), d(TODAY)).unwrap();
    assert_eq!(order.source, Source::Therapist);
    assert_eq!(order.discharge_at, None);
}

#[test]
fn a_pickup_needs_no_discharge_but_cannot_be_self_pickup() {
    let mut input = hospital_input();
    input.kind = Some("pickup".into());
    input.discharge_at = None;
    input.deliver_by = Some("2026-11-25".into());
    assert!(check_order(&input, Rules::Hospital, &lookups(), d(TODAY)).is_ok());
    input.delivery_mode = Some("self_pickup".into());
    let errors = check_order(&input, Rules::Hospital, &lookups(), d(TODAY)).unwrap_err();
    assert!(errors.contains_key("delivery_mode"));
}

#[test]
fn the_depot_may_give_either_a_discharge_time_or_a_date() {
    let input = hospital_input();
    assert!(check_order(&input, Rules::Depot, &lookups(), d(TODAY)).is_ok());
    let mut dated = hospital_input();
    dated.discharge_at = None;
    dated.deliver_by = Some("2026-11-26".into());
    let order = check_order(&dated, Rules::Depot, &lookups(), d(TODAY)).unwrap();
    assert_eq!(order.source, Source::Depot);
    dated.deliver_by = None;
    assert!(
        check_order(&dated, Rules::Depot, &lookups(), d(TODAY))
            .unwrap_err()
            .contains_key("deliver_by")
    );
}

#[test]
fn the_city_follows_the_postal_code_when_left_out() {
    let mut input = hospital_input();
    input.address.city = String::new();
    let order = check_order(&input, Rules::Hospital, &lookups(), d(TODAY)).unwrap();
    assert_eq!(order.address.city, "Randers C");
}

#[test]
fn unknown_words_are_named() {
    let mut input = hospital_input();
    input.kind = Some("teleport".into());
    input.delivery_mode = Some("drone".into());
    input.legal_basis = Some("§999".into());
    let errors = check_order(&input, Rules::Hospital, &lookups(), d(TODAY)).unwrap_err();
    for field in ["kind", "delivery_mode", "legal_basis"] {
        assert!(errors.contains_key(field), "{field}");
    }
}

#[test]
fn the_form_finds_aids_by_code_or_name() {
    let l = lookups();
    assert_eq!(l.product("12-06-06-01").unwrap().id, 1);
    assert_eq!(l.product(" rollator, STANDARD ").unwrap().id, 1);
    assert_eq!(l.product("18-12-10-01 Plejeseng").unwrap().id, 2);
    assert!(l.product("Rollator").is_none());
}

#[test]
fn a_local_discharge_time_becomes_rfc3339_in_copenhagen() {
    assert_eq!(
        local_discharge("2026-11-24", "10:00").unwrap().unwrap(),
        "2026-11-24T10:00:00+01:00"
    );
    assert_eq!(
        local_discharge("2026-07-01", "10:00").unwrap().unwrap(),
        "2026-07-01T10:00:00+02:00"
    );
    assert_eq!(local_discharge(" ", "").unwrap(), None);
    assert!(local_discharge("2026-11-24", "").is_err());
    assert!(local_discharge("", "10:00").is_err());
    assert!(local_discharge("24.11.2026", "10:00").is_err());
}

// ---------------------------------------------------------------- idempotency, hints

#[test]
fn the_same_order_hashes_the_same_whatever_the_json_looks_like() {
    let a: OrderInput = serde_json::from_str(
        r#"{"kind":"delivery","lines":[{"product_code":"x","quantity":1}],"citizen":{"name":"A","cpr":"1"}}"#,
    )
    .unwrap();
    let b: OrderInput = serde_json::from_str(
        r#"{ "citizen": {"cpr":"1", "name":"A"}, "lines":[{"quantity":1,"product_code":"x"}], "kind":"delivery" }"#,
    )
    .unwrap();
    assert_eq!(request_hash(&a), request_hash(&b));
    let c: OrderInput =
        serde_json::from_str(r#"{"kind":"delivery","lines":[{"product_code":"x","quantity":2}]}"#)
            .unwrap();
    assert_ne!(request_hash(&a), request_hash(&c));
    assert_eq!(request_hash(&a).len(), 64);
}

#[test]
fn the_merge_hint_names_orders_at_the_same_address() {
    let at = |order_id, drivable| Related {
        order_id,
        reason: Reason::SameAddress,
        drivable,
    };
    let citizen = |order_id| Related {
        order_id,
        reason: Reason::SameCitizen,
        drivable: true,
    };
    assert_eq!(merge_hint(&[]), None);
    assert_eq!(
        merge_hint(&[at(123, true)]).as_deref(),
        Some("Samkøres med ordre 123")
    );
    assert_eq!(
        merge_hint(&[at(12, true), at(15, true), citizen(20)]).as_deref(),
        Some("Samkøres med ordrerne 12 og 15")
    );
    assert_eq!(
        merge_hint(&[citizen(20)]).as_deref(),
        Some("Borgeren har også åben ordre 20")
    );
    // A self-pickup is not on a run: nothing to drive together.
    assert_eq!(
        merge_hint(&[at(7, false)]).as_deref(),
        Some("Der er også åben ordre 7 til samme adresse (selvhenter)")
    );
}
