//! The rules of the delivery runs, as plain functions.

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};

use super::planner::{JobKind, Options, Reason, solve};
use super::*;

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().to_utc()
}

const HOME: (f64, f64) = (56.4600, 10.0300);
const FAR: (f64, f64) = (56.5200, 10.2000);

fn cand(id: i32, address: i32, date: &str) -> Candidate {
    Candidate {
        order_id: id,
        kind: JobKind::Delivery,
        address_id: address,
        coords: HOME,
        date: day(date),
        discharge_at: None,
        volume: 2,
        service_minutes: 10,
    }
}

#[test]
fn orders_due_by_the_date_are_taken_and_later_ones_alone_are_not() {
    let list = [cand(1, 10, "2026-11-24"), cand(2, 20, "2026-11-27")];
    let s = select(&list, day("2026-11-24"));
    assert_eq!(s.chosen, vec![(1, None)]);
    assert!(s.merges.is_empty());
    assert_eq!(s.drives_saved, 0);
}

#[test]
fn an_overdue_order_is_taken() {
    let s = select(&[cand(1, 10, "2026-11-20")], day("2026-11-24"));
    assert_eq!(s.chosen, vec![(1, None)]);
}

#[test]
fn a_therapists_later_order_to_the_same_address_is_pulled_forward_and_saves_a_drive() {
    let hospital = Candidate {
        discharge_at: Some(at("2026-11-24T10:00:00+01:00")),
        ..cand(1, 10, "2026-11-24")
    };
    let bed = Candidate {
        volume: 30,
        ..cand(2, 10, "2026-11-26")
    };
    let s = select(&[hospital, bed], day("2026-11-24"));
    assert_eq!(s.chosen, vec![(1, None), (2, Some(day("2026-11-26")))]);
    assert_eq!(s.drives_saved, 1);
    assert_eq!(s.merges.len(), 1);
    assert_eq!(s.merges[0].with_orders, vec![1]);
    assert_eq!(s.merges[0].kind, MergeKind::SameAddress);
    assert!(s.merges[0].text_da(true).contains("1 kørsel sparet"));
}

#[test]
fn two_later_orders_for_the_same_address_and_date_save_one_drive() {
    let list = [
        cand(1, 10, "2026-11-24"),
        cand(2, 10, "2026-11-26"),
        cand(3, 10, "2026-11-26"),
        cand(4, 10, "2026-11-28"),
    ];
    let s = select(&list, day("2026-11-24"));
    assert_eq!(s.chosen.len(), 4);
    assert_eq!(s.drives_saved, 2);
    assert!(saves_drive(&s.merges, &list, 0));
    assert!(!saves_drive(&s.merges, &list, 1));
    assert!(saves_drive(&s.merges, &list, 2));
}

#[test]
fn a_later_hospital_discharge_is_never_moved_forward() {
    let later = Candidate {
        discharge_at: Some(at("2026-11-26T10:00:00+01:00")),
        ..cand(2, 10, "2026-11-26")
    };
    let s = select(&[cand(1, 10, "2026-11-24"), later], day("2026-11-24"));
    assert_eq!(s.chosen, vec![(1, None)]);
}

#[test]
fn orders_beyond_the_horizon_stay_where_they_are() {
    let s = select(
        &[cand(1, 10, "2026-11-24"), cand(2, 10, "2026-12-20")],
        day("2026-11-24"),
    );
    assert_eq!(s.chosen.len(), 1);
}

#[test]
fn a_later_pickup_next_door_rides_along_but_a_far_one_does_not() {
    let next_door = Candidate {
        kind: JobKind::Pickup,
        coords: (HOME.0 + 0.001, HOME.1),
        ..cand(2, 11, "2026-11-30")
    };
    let far = Candidate {
        kind: JobKind::Pickup,
        coords: FAR,
        ..cand(3, 12, "2026-11-30")
    };
    let far_delivery = Candidate {
        coords: (HOME.0 + 0.001, HOME.1),
        ..cand(4, 13, "2026-11-30")
    };
    let s = select(
        &[cand(1, 10, "2026-11-24"), next_door, far, far_delivery],
        day("2026-11-24"),
    );
    assert_eq!(s.chosen, vec![(1, None), (2, Some(day("2026-11-30")))]);
    assert_eq!(s.merges[0].kind, MergeKind::NearbyPickup);
    assert_eq!(s.drives_saved, 1);
}

#[test]
fn orders_at_one_address_become_one_stop_with_summed_items() {
    let hospital = Candidate {
        discharge_at: Some(at("2026-11-24T10:00:00+01:00")),
        ..cand(1, 10, "2026-11-24")
    };
    let bed = Candidate {
        volume: 30,
        service_minutes: 30,
        ..cand(2, 10, "2026-11-26")
    };
    let pickup = Candidate {
        kind: JobKind::Pickup,
        volume: 4,
        ..cand(3, 10, "2026-11-24")
    };
    let other = cand(4, 20, "2026-11-24");
    let list = [hospital, bed, pickup, other];
    let stops = group_stops(&list, &[1, 2, 3, 4], day("2026-11-24"));
    assert_eq!(stops.len(), 2);
    let first = &stops[0];
    assert_eq!(first.deliveries, vec![1, 2]);
    assert_eq!(first.pickups, vec![3]);
    assert_eq!(first.delivery_volume, 32);
    assert_eq!(first.pickup_volume, 4);
    assert_eq!(first.service_minutes(), 50);
    assert_eq!(first.discharge_at, Some(at("2026-11-24T10:00:00+01:00")));
    assert_eq!(first.order_ids(), vec![1, 2, 3]);
    assert_eq!(stops[1].deliveries, vec![4]);
}

#[test]
fn a_discharge_on_another_day_gives_no_window() {
    let early = Candidate {
        discharge_at: Some(at("2026-11-20T10:00:00+01:00")),
        ..cand(1, 10, "2026-11-20")
    };
    let stops = group_stops(&[early], &[1], day("2026-11-24"));
    assert_eq!(stops[0].discharge_at, None);
}

#[test]
fn a_short_visit_still_takes_five_minutes() {
    let quick = Candidate {
        service_minutes: 1,
        ..cand(1, 10, "2026-11-24")
    };
    let stops = group_stops(&[quick], &[1], day("2026-11-24"));
    assert_eq!(stops[0].service_minutes(), MIN_SERVICE_MINUTES);
}

#[test]
fn the_day_axis_follows_copenhagen_time() {
    let date = day("2026-11-24");
    assert_eq!(day_start(date), at("2026-11-23T23:00:00Z"));
    let half_past_seven = NaiveTime::from_hms_opt(7, 30, 0).unwrap();
    assert_eq!(local_secs(date, half_past_seven), 7 * 3600 + 1800);
    assert_eq!(at_secs(date, 3600 * 10), at("2026-11-24T09:00:00Z"));
    assert_eq!(secs_of(date, at("2026-11-24T10:00:00+01:00")), 36000);
    assert_eq!(hhmm(at("2026-11-24T09:05:00Z")), "10:05");
    assert_eq!(parse_hhmm(" 07:30 "), Some(half_past_seven));
    assert_eq!(parse_hhmm("7.30"), None);
    // Summer time: midnight is 22:00 UTC.
    assert_eq!(day_start(day("2026-07-01")), at("2026-06-30T22:00:00Z"));
}

fn van(id: i32, capacity: i64) -> VehicleSpec {
    VehicleSpec {
        id,
        capacity,
        shift: (7 * 3600 + 1800, 15 * 3600),
        start: (DEPOT_LAT, DEPOT_LON),
    }
}

#[test]
fn a_discharge_closes_the_window_before_the_citizen_comes_home() {
    let hospital = Candidate {
        discharge_at: Some(at("2026-11-24T10:00:00+01:00")),
        ..cand(1, 10, "2026-11-24")
    };
    let stops = group_stops(&[hospital], &[1], day("2026-11-24"));
    let (problem, refs) = build_problem(&stops, &[van(7, 60)], day("2026-11-24"));
    assert_eq!(problem.matrix.size, 2);
    assert_eq!(problem.jobs.len(), 1);
    assert_eq!(problem.jobs[0].window.1, 36000 - 600);
    assert_eq!(problem.jobs[0].service, 600);
    assert_eq!(
        refs[0],
        JobRef {
            stop: 0,
            kind: JobKind::Delivery
        }
    );
    assert_eq!(problem.vehicles[0].id, 7);
}

#[test]
fn a_stop_with_deliveries_and_pickups_is_two_jobs_at_one_place_and_one_visit() {
    let pickup = Candidate {
        kind: JobKind::Pickup,
        ..cand(2, 10, "2026-11-24")
    };
    let list = [cand(1, 10, "2026-11-24"), pickup];
    let stops = group_stops(&list, &[1, 2], day("2026-11-24"));
    let (problem, refs) = build_problem(&stops, &[van(1, 60)], day("2026-11-24"));
    assert_eq!(problem.jobs.len(), 2);
    assert_eq!(problem.jobs[0].location, problem.jobs[1].location);
    let plan = solve(
        &problem,
        &Options {
            max_iterations: Some(200),
            threads: 1,
            ..Options::default()
        },
    )
    .unwrap();
    let (routes, left) = read_plan(&plan, &refs);
    assert!(left.is_empty());
    assert_eq!(routes.len(), 1);
    assert_eq!(routes[0].stops.len(), 1);
    assert_eq!(routes[0].stops[0].kinds.len(), 2);
}

#[test]
fn too_little_room_leaves_the_rest_with_the_reason() {
    let beds: Vec<Candidate> = (1..=3)
        .map(|i| Candidate {
            volume: 30,
            coords: (HOME.0 + f64::from(i) * 0.01, HOME.1),
            ..cand(i, i * 10, "2026-11-24")
        })
        .collect();
    let stops = group_stops(&beds, &[1, 2, 3], day("2026-11-24"));
    let (problem, refs) = build_problem(&stops, &[van(1, 60)], day("2026-11-24"));
    let plan = solve(
        &problem,
        &Options {
            max_iterations: Some(200),
            threads: 1,
            ..Options::default()
        },
    )
    .unwrap();
    let (routes, left) = read_plan(&plan, &refs);
    assert_eq!(routes[0].stops.len(), 2);
    assert_eq!(left.len(), 1);
    assert_eq!(left[0].1, Reason::NoRoom);
}

#[test]
fn the_forward_pass_drives_serves_and_comes_back() {
    let matrix = TravelMatrix {
        size: 3,
        durations: vec![0, 600, 900, 600, 0, 300, 900, 300, 0],
        distances: vec![0, 6000, 9000, 6000, 0, 3000, 9000, 3000, 0],
    };
    let (etas, metres, seconds) = forward_pass(&matrix, 0, &[(1, 300), (2, 600)], 27000);
    assert_eq!(etas, vec![27600, 28200]);
    assert_eq!(metres, 18000);
    assert_eq!(seconds, 600 + 300 + 300 + 600 + 900);
}

fn input(
    outcome: &str,
    receiver: Option<&str>,
    reason: Option<&str>,
    note: Option<&str>,
) -> CompletionInput {
    CompletionInput {
        outcome: outcome.to_owned(),
        receiver_name: receiver.map(str::to_owned),
        note: note.map(str::to_owned),
        failure_reason: reason.map(str::to_owned),
    }
}

#[test]
fn a_delivery_needs_the_receivers_name() {
    let err = check_completion(&input("delivered", Some("  "), None, None)).unwrap_err();
    assert!(err.contains_key("receiver_name"));
    let ok = check_completion(&input("delivered", Some(" Karen "), Some("refused"), None)).unwrap();
    assert_eq!(ok.receiver_name.as_deref(), Some("Karen"));
    assert_eq!(ok.failure_reason, None, "a reason is ignored on a delivery");
}

#[test]
fn a_failure_needs_a_reason_and_other_needs_a_note() {
    assert!(
        check_completion(&input("failed", None, None, None))
            .unwrap_err()
            .contains_key("failure_reason")
    );
    assert!(
        check_completion(&input("failed", None, Some("bored"), None))
            .unwrap_err()
            .contains_key("failure_reason")
    );
    assert!(
        check_completion(&input("failed", None, Some("other"), None))
            .unwrap_err()
            .contains_key("note")
    );
    let ok = check_completion(&input(
        "failed",
        Some("x"),
        Some("not_home"),
        Some("Ring først"),
    ))
    .unwrap();
    assert_eq!(ok.failure_reason, Some(FailureReason::NotHome));
    assert_eq!(ok.receiver_name, None);
    assert_eq!(ok.note.as_deref(), Some("Ring først"));
}

#[test]
fn an_unknown_outcome_is_named() {
    assert!(
        check_completion(&input("maybe", None, None, None))
            .unwrap_err()
            .contains_key("outcome")
    );
}

#[test]
fn the_same_completion_again_is_recognised_and_another_is_not() {
    let delivered = check_completion(&input("delivered", Some("Karen"), None, None)).unwrap();
    assert!(same_completion(
        "delivered",
        Some("Karen"),
        None,
        &delivered
    ));
    assert!(!same_completion("delivered", Some("Ole"), None, &delivered));
    assert!(!same_completion(
        "failed",
        None,
        Some("not_home"),
        &delivered
    ));
    let failed = check_completion(&input("failed", None, Some("not_home"), None)).unwrap();
    assert!(same_completion("failed", None, Some("not_home"), &failed));
    assert!(!same_completion("failed", None, Some("refused"), &failed));
}

#[test]
fn the_map_keeps_every_point_inside_the_box() {
    let points = [(56.45, 10.04), (56.50, 10.10), (56.40, 9.95)];
    let xy = project(&points, 640.0, 420.0, 20.0);
    assert_eq!(xy.len(), 3);
    for (x, y) in &xy {
        assert!((0.0..=640.0).contains(x) && (0.0..=420.0).contains(y));
    }
    // North is up: the northernmost point has the smallest y.
    assert!(xy[1].1 < xy[0].1 && xy[0].1 < xy[2].1);
    assert_eq!(project(&[(56.0, 10.0)], 100.0, 100.0, 10.0).len(), 1);
    assert!(project(&[], 100.0, 100.0, 10.0).is_empty());
}

#[test]
fn weeks_start_on_monday() {
    assert_eq!(week_start(day("2026-11-26")), day("2026-11-23"));
    assert_eq!(week_start(day("2026-11-23")), day("2026-11-23"));
    assert_eq!(week_label(day("2026-11-23")), "Uge 48");
}

#[test]
fn statuses_and_reasons_read_back() {
    for s in [
        RunStatus::Draft,
        RunStatus::Locked,
        RunStatus::Dispatched,
        RunStatus::Done,
    ] {
        assert_eq!(RunStatus::parse(s.as_str()), Some(s));
    }
    for r in FailureReason::ALL {
        assert_eq!(FailureReason::parse(r.as_str()), Some(r));
    }
    assert_eq!(FailureReason::NotHome.label(), "Ikke hjemme");
    assert_eq!(join_da(&["1".into(), "2".into(), "3".into()]), "1, 2 og 3");
}
