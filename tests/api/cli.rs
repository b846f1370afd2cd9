//! The `depot` binary as other systems and operators use it.

use std::io::Write;
use std::process::{Command, Stdio};

use crate::helpers::fresh_database_url;

fn depot() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_depot"));
    cmd.env_remove("DATABASE_URL")
        .env_remove("DEPOT_MAIL")
        .env_remove("DEPOT_BIND")
        .env("DEPOT_LOG", "info");
    cmd
}

#[test]
fn a_bad_setting_stops_with_one_clear_line_and_exit_code_2() {
    for (variable, value) in [
        ("DATABASE_URL", "mysql://nope"),
        ("DEPOT_MAIL", "pigeon:coo"),
        ("DEPOT_BIND", "everywhere"),
    ] {
        let output = depot()
            .env(variable, value)
            .arg("migrate")
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2), "{variable}");
        let stderr = String::from_utf8(output.stderr).unwrap();
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(stderr.contains(variable), "{stderr}");
    }
}

#[tokio::test]
async fn user_add_reads_the_password_from_stdin_and_token_create_prints_a_working_token() {
    let url = fresh_database_url().await;
    let mut child = depot()
        .env("DATABASE_URL", &url)
        .args([
            "user",
            "add",
            "--email",
            "Dorte@Depot.invalid",
            "--name",
            "Dorte Depot",
            "--role",
            "depot",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all("en meget hemmelig sætning\n".as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );

    let output = depot()
        .env("DATABASE_URL", &url)
        .args(["token", "create", "--email", "dorte@depot.invalid"])
        .output()
        .unwrap();
    assert!(output.status.success());
    let token = String::from_utf8(output.stdout).unwrap().trim().to_owned();
    assert!(token.starts_with("dpt_"));

    let (mut server, base) = serve(&url);
    let response = reqwest::Client::new()
        .get(format!("{base}/api/v1/products"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    server.kill().unwrap();
    server.wait().unwrap();
}

#[tokio::test]
async fn user_add_refuses_a_therapist_without_an_area() {
    let url = fresh_database_url().await;
    let mut child = depot()
        .env("DATABASE_URL", &url)
        .args([
            "user",
            "add",
            "--email",
            "t@depot.invalid",
            "--name",
            "T",
            "--role",
            "therapist",
        ])
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all("en meget hemmelig sætning\n".as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("area"));
}

fn serve(database_url: &str) -> (std::process::Child, String) {
    crate::helpers::spawn_depot(&[("DATABASE_URL", database_url)], &["serve", "--demo"])
}

#[tokio::test]
async fn serve_migrates_an_empty_database_seeds_the_demo_and_serves() {
    let url = fresh_database_url().await;
    let (mut server, base) = serve(&url);
    let client = reqwest::Client::new();
    let health = client.get(format!("{base}/healthz")).send().await.unwrap();
    assert_eq!(health.status(), 200);
    let login = client
        .get(format!("{base}/login"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(login.contains("Log ind"));
    server.kill().unwrap();
    server.wait().unwrap();
}
