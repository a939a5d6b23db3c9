use std::collections::HashSet;
use std::sync::Arc;
use std::time::{Duration, Instant};

use argon2::password_hash::{PasswordHasher, PasswordVerifier};

use super::*;

/// The argon2 crate's own verifier, with its own memory.
fn stock_verifies(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|parsed| {
        Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
    })
}

/// A hash made by the argon2 crate's own hasher.
fn stock_hash(algorithm: Algorithm, version: Version, params: Params, password: &str) -> String {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::new(algorithm, version, params)
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .unwrap_or_else(|e| panic!("stock hashing: {e}"))
}

fn cheap() -> Params {
    Params::new(64, 1, 1, None).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn new_hashes_are_standard_phc_strings_the_stock_verifier_accepts() {
    let hash = hash_blocking("correct horse").unwrap_or_else(|e| panic!("{e}"));
    assert!(
        hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
        "{hash}"
    );
    assert!(stock_verifies("correct horse", &hash));
    assert!(!stock_verifies("correct horsE", &hash));
    assert!(verify_blocking("correct horse", &hash));
    assert!(!verify_blocking("correct horsE", &hash));
    // A fresh salt every time.
    let again = hash_blocking("correct horse").unwrap_or_else(|e| panic!("{e}"));
    assert_ne!(hash, again);
}

#[test]
fn stock_hashes_verify_here() {
    let hash = stock_hash(
        Algorithm::Argon2id,
        Version::V0x13,
        Params::DEFAULT,
        "пароль 密码",
    );
    assert!(verify_blocking("пароль 密码", &hash));
    assert!(!verify_blocking("пароль 密", &hash));
    assert!(!verify_blocking("", &hash));
}

#[test]
fn other_variants_versions_and_lower_costs_verify_here() {
    let params = [
        (
            Algorithm::Argon2id,
            Version::V0x13,
            Params::new(4096, 3, 2, None),
        ),
        (
            Algorithm::Argon2i,
            Version::V0x10,
            Params::new(1024, 4, 1, None),
        ),
        (
            Algorithm::Argon2d,
            Version::V0x13,
            Params::new(512, 1, 4, Some(48)),
        ),
    ];
    for (algorithm, version, params) in params {
        let params = params.unwrap_or_else(|e| panic!("{e}"));
        let hash = stock_hash(algorithm, version, params, "secret");
        assert!(verify_blocking("secret", &hash), "{hash}");
        assert!(!verify_blocking("Secret", &hash), "{hash}");
    }
}

#[test]
fn malformed_hashes_never_match() {
    let good = stock_hash(Algorithm::Argon2id, Version::V0x13, cheap(), "pw");
    assert!(verify_blocking("pw", &good));
    let Some((head, output)) = good.rsplit_once('$') else {
        panic!("{good}")
    };
    let mut flipped = output.as_bytes().to_vec();
    flipped[0] = if flipped[0] == b'A' { b'B' } else { b'A' };
    let flipped = format!("{head}${}", String::from_utf8_lossy(&flipped));
    let cases = [
        String::new(),
        "pw".into(),
        "$argon2id$".into(),
        // No output.
        head.to_owned(),
        // Output cut short.
        format!("{head}${}", &output[..8]),
        // Another output.
        flipped,
        // Unknown algorithm and parameter.
        good.replacen("argon2id", "argon2x", 1),
        good.replacen("p=1", "p=1,q=2", 1),
        // Unknown version.
        good.replacen("v=19", "v=18", 1),
        // Not argon2 at all.
        "$2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW".into(),
        "$pbkdf2-sha256$i=1000$c2FsdHNhbHQ$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA".into(),
    ];
    for case in cases {
        assert!(!verify_blocking("pw", &case), "{case:?} matched");
        assert!(!stock_verifies("pw", &case), "stock: {case:?} matched");
    }
}

#[test]
fn hashes_above_our_cost_are_refused_before_any_work() {
    // Right password, valid hash, but more memory than the work area: refused.
    let big = Params::new(PARAMS.m_cost() * 2, 1, 1, None).unwrap_or_else(|e| panic!("{e}"));
    let hash = stock_hash(Algorithm::Argon2id, Version::V0x13, big, "pw");
    assert!(stock_verifies("pw", &hash));
    let mut memory = new_work_area();
    assert_eq!(
        check_in(&mut memory, "pw", &hash),
        Err(Unchecked::TooCostly)
    );
    assert!(!verify_blocking("pw", &hash));
    // Huge memory or passes in a planted string: refused at once (computing either
    // would take gigabytes or hours).
    let Some((_, tail)) = hash.split_once("$m=") else {
        panic!("{hash}")
    };
    let Some((_, salt_and_output)) = tail.split_once('$') else {
        panic!("{hash}")
    };
    for params in ["m=4294967295,t=2,p=1", "m=19456,t=4294967295,p=1"] {
        let planted = format!("$argon2id$v=19${params}${salt_and_output}");
        let started = Instant::now();
        assert_eq!(
            check_in(&mut memory, "pw", &planted),
            Err(Unchecked::TooCostly),
            "{planted}"
        );
        assert!(started.elapsed() < Duration::from_secs(1));
    }
    // Up to MAX_PASSES within the work area is fine.
    let slow = Params::new(PARAMS.m_cost(), MAX_PASSES, 1, None).unwrap_or_else(|e| panic!("{e}"));
    let hash = stock_hash(Algorithm::Argon2id, Version::V0x13, slow, "pw");
    assert_eq!(check_in(&mut memory, "pw", &hash), Ok(true));
}

#[test]
fn the_dummy_hash_costs_a_real_verification_and_matches_nothing() {
    let dummy = dummy_hash();
    let parsed = PasswordHash::new(dummy).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(parsed.algorithm, Algorithm::Argon2id.ident());
    let params = Params::try_from(&parsed).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        (params.m_cost(), params.t_cost(), params.p_cost()),
        (PARAMS.m_cost(), PARAMS.t_cost(), PARAMS.p_cost())
    );
    assert_eq!(
        parsed.hash.map(|h| h.len()),
        Some(Params::DEFAULT_OUTPUT_LEN)
    );
    let mut memory = new_work_area();
    assert_eq!(check_in(&mut memory, "", dummy), Ok(false));
    assert_eq!(check_in(&mut memory, "xiangzhu-demo", dummy), Ok(false));
}

#[actix_web::test]
async fn the_gate_hashes_and_verifies_on_its_threads() {
    let gate = HashGate::new(2, 8);
    let hash = gate
        .hash("through the gate".into())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(stock_verifies("through the gate", &hash));
    let ok = |r: Result<bool, ApiError>| r.unwrap_or_else(|e| panic!("{e}"));
    assert!(ok(gate
        .verify("through the gate".into(), hash.clone())
        .await));
    assert!(!ok(gate.verify("through the Gate".into(), hash).await));
    let stock = stock_hash(Algorithm::Argon2id, Version::V0x13, Params::DEFAULT, "s");
    assert!(ok(gate.verify("s".into(), stock.clone()).await));
    assert!(!ok(gate.verify("t".into(), stock).await));
    assert!(!ok(gate.verify("s".into(), "garbage".into()).await));
    assert_eq!(gate.verifications(), 5);
    assert!(gate.work_areas() <= 2);
}

#[actix_web::test]
async fn a_fixed_set_of_threads_does_all_the_hashing() {
    let gate = Arc::new(HashGate::new(2, 256));
    assert_eq!(gate.threads(), 2);
    let hash = stock_hash(Algorithm::Argon2id, Version::V0x13, cheap(), "pw");
    let caller = std::thread::current().id();
    let jobs: Vec<_> = (0..200)
        .map(|i| {
            let (gate, hash) = (gate.clone(), hash.clone());
            actix_web::rt::spawn(async move {
                let password = if i % 2 == 0 { "pw" } else { "wrong" };
                gate.run(move |memory| {
                    let matches = verify_in(memory, password, &hash);
                    (
                        std::thread::current().id(),
                        memory.len(),
                        matches == (i % 2 == 0),
                    )
                })
                .await
            })
        })
        .collect();
    let mut threads = HashSet::new();
    for job in jobs {
        let (thread, blocks, right) = job
            .await
            .unwrap_or_else(|e| panic!("{e}"))
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(right);
        assert_eq!(blocks, PARAMS.block_count());
        assert_ne!(thread, caller);
        threads.insert(thread);
    }
    assert!(threads.len() <= 2, "{} threads hashed", threads.len());
    assert!(gate.work_areas() <= 2, "{} work areas", gate.work_areas());
    assert_eq!(gate.work_areas(), threads.len());
}

#[actix_web::test]
async fn a_full_queue_turns_callers_away() {
    let gate = Arc::new(HashGate::new(1, 1));
    let first = gate.enter().await.unwrap_or_else(|e| panic!("{e}"));
    // One may wait; the next is refused at once.
    let g = gate.clone();
    let waiter = actix_web::rt::spawn(async move { g.enter().await.map(|_| ()) });
    while gate.waiting.load(Ordering::SeqCst) == 0 {
        tokio::task::yield_now().await;
    }
    assert!(matches!(
        gate.enter().await,
        Err(ApiError::Busy { retry_after: 2 })
    ));
    drop(first);
    assert!(matches!(waiter.await, Ok(Ok(()))));
    assert_eq!(gate.waiting.load(Ordering::SeqCst), 0);
}

#[actix_web::test]
async fn a_slot_stays_taken_until_its_hash_is_done_even_if_the_caller_left() {
    let gate = Arc::new(HashGate::new(1, 0));
    let (release, hold) = std::sync::mpsc::channel::<()>();
    let (started, running) = std::sync::mpsc::channel::<()>();
    let g = gate.clone();
    let caller = actix_web::rt::spawn(async move {
        g.run(move |_| {
            let _ = started.send(());
            let _ = hold.recv();
        })
        .await
    });
    let _ = actix_web::web::block(move || running.recv()).await;
    // The caller gives up; the thread is still busy, so there is still no room.
    caller.abort();
    let _ = caller.await;
    assert!(matches!(
        gate.enter().await,
        Err(ApiError::Busy { retry_after: 2 })
    ));
    let _ = release.send(());
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        match gate.enter().await {
            Ok(_) => break,
            Err(_) if Instant::now() < deadline => {
                actix_web::rt::time::sleep(Duration::from_millis(5)).await
            }
            Err(e) => panic!("the slot never came back: {e}"),
        }
    }
}
