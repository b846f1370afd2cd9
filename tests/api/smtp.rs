//! A real SMTP server for the tests, speaking SMTP over TCP, with faults on demand:
//! refuse every other transaction with 451, reject chosen recipients with 550,
//! answer slowly, or not listen at all.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

#[derive(Clone, Debug)]
pub struct Received {
    pub to: Vec<String>,
    pub data: String,
}

impl Received {
    pub fn header(&self, name: &str) -> Option<String> {
        let prefix = format!("{}:", name.to_lowercase());
        self.data
            .lines()
            .take_while(|l| !l.is_empty())
            .find(|l| l.to_lowercase().starts_with(&prefix))
            .map(|l| l[prefix.len()..].trim().to_owned())
    }

    pub fn message_id(&self) -> String {
        self.header("Message-ID").unwrap_or_default()
    }
}

#[derive(Clone, Debug, Default)]
pub struct Faults {
    /// Refuse every other transaction at MAIL FROM with 451.
    pub refuse_every_other: bool,
    /// Recipients refused with 550.
    pub reject: Vec<String>,
    /// Wait this long before accepting each message.
    pub delay: Duration,
}

pub struct SmtpServer {
    pub addr: SocketAddr,
    pub received: Arc<Mutex<Vec<Received>>>,
    pub refused: Arc<AtomicU64>,
    task: JoinHandle<()>,
}

impl SmtpServer {
    pub async fn start(faults: Faults) -> Self {
        Self::start_on("127.0.0.1:0".parse().unwrap(), faults).await
    }

    pub async fn start_on(addr: SocketAddr, faults: Faults) -> Self {
        let listener = TcpListener::bind(addr).await.unwrap();
        let addr = listener.local_addr().unwrap();
        let received = Arc::new(Mutex::new(Vec::new()));
        let refused = Arc::new(AtomicU64::new(0));
        let transactions = Arc::new(AtomicU64::new(0));
        let (r, f, t, x) = (
            received.clone(),
            Arc::new(faults),
            transactions,
            refused.clone(),
        );
        let task = tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                let (r, f, t, x) = (r.clone(), f.clone(), t.clone(), x.clone());
                tokio::spawn(async move {
                    let _ = session(socket, r, f, t, x).await;
                });
            }
        });
        Self {
            addr,
            received,
            refused,
            task,
        }
    }

    pub fn url(&self) -> String {
        format!("smtp://{}?tls=none", self.addr)
    }

    pub fn received(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn session(
    socket: tokio::net::TcpStream,
    received: Arc<Mutex<Vec<Received>>>,
    faults: Arc<Faults>,
    transactions: Arc<AtomicU64>,
    refused: Arc<AtomicU64>,
) -> std::io::Result<()> {
    let (read, mut write) = socket.into_split();
    let mut lines = BufReader::new(read).lines();
    write.write_all(b"220 test.invalid ESMTP ready\r\n").await?;
    let mut to = Vec::new();
    while let Some(line) = lines.next_line().await? {
        let upper = line.to_uppercase();
        let reply: String = if upper.starts_with("EHLO") {
            "250-test.invalid\r\n250-8BITMIME\r\n250 SMTPUTF8".into()
        } else if upper.starts_with("HELO") {
            "250 test.invalid".into()
        } else if upper.starts_with("MAIL FROM") {
            to.clear();
            let n = transactions.fetch_add(1, Ordering::SeqCst);
            if faults.refuse_every_other && n % 2 == 1 {
                refused.fetch_add(1, Ordering::SeqCst);
                "451 4.3.0 Try again later".into()
            } else {
                "250 2.1.0 Ok".into()
            }
        } else if upper.starts_with("RCPT TO") {
            let address = line[8..]
                .trim()
                .trim_start_matches(':')
                .trim()
                .trim_matches(['<', '>'])
                .to_owned();
            if faults
                .reject
                .iter()
                .any(|r| address.eq_ignore_ascii_case(r))
            {
                refused.fetch_add(1, Ordering::SeqCst);
                "550 5.1.1 No such user".into()
            } else {
                to.push(address);
                "250 2.1.5 Ok".into()
            }
        } else if upper == "DATA" {
            write
                .write_all(b"354 End data with <CR><LF>.<CR><LF>\r\n")
                .await?;
            let mut data = String::new();
            while let Some(l) = lines.next_line().await? {
                if l == "." {
                    break;
                }
                data.push_str(
                    l.strip_prefix('.')
                        .filter(|_| l.starts_with(".."))
                        .unwrap_or(&l),
                );
                data.push('\n');
            }
            if !faults.delay.is_zero() {
                tokio::time::sleep(faults.delay).await;
            }
            received.lock().unwrap().push(Received {
                to: to.clone(),
                data,
            });
            "250 2.0.0 Ok: queued".into()
        } else if upper == "QUIT" {
            write.write_all(b"221 2.0.0 Bye\r\n").await?;
            return Ok(());
        } else if upper == "RSET" || upper == "NOOP" {
            to.clear();
            "250 2.0.0 Ok".into()
        } else {
            "502 5.5.2 Command not recognized".into()
        };
        write.write_all(format!("{reply}\r\n").as_bytes()).await?;
    }
    Ok(())
}
