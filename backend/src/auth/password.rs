//! Password hashing with argon2id at the OWASP-recommended cost (19 MiB, 2 passes,
//! 1 lane), in constant memory and bounded in concurrency.
//!
//! Every hash needs a 19 MiB work area. The server hashes on a fixed set of hashing
//! threads (one per core, started by [`HashGate::new`]), each of which allocates its
//! work area once, on its first job, and reuses it for every hash after that. Requests
//! wait for a thread in the [`HashGate`]'s bounded queue and get their answer back over
//! a oneshot channel: neither the async executor nor actix's blocking pool ever runs
//! argon2, so however many logins arrive, hashing holds at most
//! `threads × 19 MiB` (on the blocking pool every one of its up to 512 threads kept a
//! 19 MiB area of its own in the allocator).
//!
//! Verification parses the stored PHC string and recomputes it with the stored
//! algorithm, version, parameters and salt in the thread's work area, then compares
//! in constant time. A stored hash that asks for more memory than the work area
//! (more than our own m = 19456 KiB) or for more than [`MAX_PASSES`] passes is
//! refused — it never matches and nothing is allocated for it — so a planted or
//! corrupted hash cannot make a login allocate or compute without bound. Raising the
//! cost of new hashes raises the work area with it (it is sized from [`PARAMS`]), so
//! every hash this code wrote keeps verifying.

use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{mpsc, Arc, Mutex, PoisonError};

use argon2::password_hash::rand_core::{OsRng, RngCore};
use argon2::password_hash::{Output, ParamsString, PasswordHash, Salt, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use tokio::sync::{oneshot, OwnedSemaphorePermit, Semaphore};

use crate::error::ApiError;
use crate::state::AppState;

/// The cost of new hashes: `Params::DEFAULT` is m = 19456 KiB, t = 2, p = 1, OWASP's
/// first recommendation for argon2id. The hashing threads' work areas are sized for it.
pub const PARAMS: Params = Params::DEFAULT;

/// The most passes a stored hash may ask for (twice ours), so that one verification
/// costs at most twice a normal one.
pub const MAX_PASSES: u32 = 2 * Params::DEFAULT_T_COST;

/// The argon2 memory blocks (1 KiB each) of a hashing thread's work area.
fn work_area_blocks() -> usize {
    PARAMS.block_count()
}

/// A fresh work area: `PARAMS.block_count()` blocks, 19 MiB.
fn new_work_area() -> Vec<Block> {
    vec![Block::new(); work_area_blocks()]
}

/// Hashes `password` with a fresh salt at [`PARAMS`], in `memory`.
fn hash_in(memory: &mut [Block], password: &str) -> anyhow::Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    let mut salt_buf = [0u8; Salt::MAX_LENGTH];
    let salt_bytes = salt
        .decode_b64(&mut salt_buf)
        .map_err(|e| anyhow::anyhow!("salt: {e}"))?;
    let mut out = [0u8; Params::DEFAULT_OUTPUT_LEN];
    Argon2::new(Algorithm::Argon2id, Version::V0x13, PARAMS)
        .hash_password_into_with_memory(password.as_bytes(), salt_bytes, &mut out, memory)
        .map_err(|e| anyhow::anyhow!("hashing failed: {e}"))?;
    phc(salt.as_salt(), &out)
}

/// The PHC string of an argon2id hash at [`PARAMS`]
/// (`$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>`).
fn phc(salt: Salt<'_>, output: &[u8]) -> anyhow::Result<String> {
    let encoded = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(&PARAMS).map_err(|e| anyhow::anyhow!("params: {e}"))?,
        salt: Some(salt),
        hash: Some(Output::new(output).map_err(|e| anyhow::anyhow!("output: {e}"))?),
    };
    Ok(encoded.to_string())
}

/// Why a stored hash was not checked.
#[derive(Debug, PartialEq, Eq)]
enum Unchecked {
    /// Not an argon2 PHC string we can read.
    Malformed,
    /// Asks for more memory or passes than we allow.
    TooCostly,
}

/// Recomputes `stored` for `password` in `memory` and compares in constant time.
fn check_in(memory: &mut [Block], password: &str, stored: &str) -> Result<bool, Unchecked> {
    let parsed = PasswordHash::new(stored).map_err(|_| Unchecked::Malformed)?;
    let algorithm = Algorithm::try_from(parsed.algorithm).map_err(|_| Unchecked::Malformed)?;
    // No `v=` means the current version, as in the argon2 crate's own verifier.
    let version = match parsed.version {
        Some(v) => Version::try_from(v).map_err(|_| Unchecked::Malformed)?,
        None => Version::default(),
    };
    let params = Params::try_from(&parsed).map_err(|_| Unchecked::Malformed)?;
    let (Some(salt), Some(expected)) = (parsed.salt, parsed.hash) else {
        return Err(Unchecked::Malformed);
    };
    if params.block_count() > memory.len() || params.t_cost() > MAX_PASSES {
        return Err(Unchecked::TooCostly);
    }
    let mut salt_buf = [0u8; Salt::MAX_LENGTH];
    let salt = salt
        .decode_b64(&mut salt_buf)
        .map_err(|_| Unchecked::Malformed)?;
    // `Output` holds at most 64 bytes, and the stored output's length is the one to compute.
    let mut out_buf = [0u8; 64];
    let out = out_buf
        .get_mut(..expected.len())
        .ok_or(Unchecked::Malformed)?;
    Argon2::new(algorithm, version, params)
        .hash_password_into_with_memory(password.as_bytes(), salt, out, memory)
        .map_err(|_| Unchecked::Malformed)?;
    let computed = Output::new(out).map_err(|_| Unchecked::Malformed)?;
    // `Output`'s equality is constant-time (`subtle`).
    Ok(computed == expected)
}

/// [`check_in`] as a yes or no: a hash that could not be checked never matches.
fn verify_in(memory: &mut [Block], password: &str, stored: &str) -> bool {
    match check_in(memory, password, stored) {
        Ok(matches) => matches,
        Err(Unchecked::Malformed) => false,
        Err(Unchecked::TooCostly) => {
            tracing::warn!("a stored password hash asks for more than the allowed cost; refused");
            false
        }
    }
}

/// Hashes a password synchronously, in a work area allocated for this call (19 MiB).
/// For one-off use outside request handling (seeding, tools, tests); the server hashes
/// through [`HashGate::hash`].
pub fn hash_blocking(password: &str) -> anyhow::Result<String> {
    hash_in(&mut new_work_area(), password)
}

/// Checks a password against a stored hash synchronously, in a work area allocated for
/// this call. A malformed hash, or one above our cost, never matches. For one-off use;
/// the server verifies through [`HashGate::verify`].
pub fn verify_blocking(password: &str, hash: &str) -> bool {
    verify_in(&mut new_work_area(), password, hash)
}

/// A valid hash of no password, verified against when the username is unknown so that
/// a login takes as long for a missing user as for a wrong password: it has our
/// parameters, a random salt and a random output (no password hashes to it, except by
/// a 2⁻²⁵⁶ chance), so making it costs no hashing.
pub fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| {
        let salt = SaltString::generate(&mut OsRng);
        let mut output = [0u8; Params::DEFAULT_OUTPUT_LEN];
        OsRng.fill_bytes(&mut output);
        phc(salt.as_salt(), &output).unwrap_or_default()
    })
}

/// Waiting requests allowed per hashing worker before new ones are turned away.
pub const QUEUE_PER_WORKER: usize = 16;

/// Work for a hashing thread, with its work area.
type Job = Box<dyn FnOnce(&mut [Block]) + Send>;

/// The gate in front of argon2 and the hashing threads behind it: at most one hash per
/// thread at a time, and a bounded queue of requests waiting for one. When the queue
/// is full, callers get 503 with `Retry-After` at once instead of piling up (each hash
/// takes 19 MiB and tens of ms).
///
/// The threads stop when the gate is dropped.
#[derive(Debug)]
pub struct HashGate {
    permits: Arc<Semaphore>,
    waiting: AtomicUsize,
    max_waiting: usize,
    verifications: AtomicU64,
    jobs: mpsc::Sender<Job>,
    threads: usize,
    work_areas: Arc<AtomicUsize>,
}

impl HashGate {
    /// A gate with `workers` hashing threads (so as many concurrent hashes) and room for
    /// `max_waiting` waiters. The threads start now; each allocates its work area on its
    /// first job.
    pub fn new(workers: usize, max_waiting: usize) -> Self {
        let (jobs, queue) = mpsc::channel::<Job>();
        let queue = Arc::new(Mutex::new(queue));
        let work_areas = Arc::new(AtomicUsize::new(0));
        let mut threads = 0;
        for i in 0..workers.max(1) {
            let (queue, work_areas) = (queue.clone(), work_areas.clone());
            match std::thread::Builder::new()
                .name(format!("argon2-{i}"))
                .spawn(move || hashing_thread(&queue, &work_areas))
            {
                Ok(_) => threads += 1,
                Err(e) => tracing::error!(error = %e, "could not start a hashing thread"),
            }
        }
        // With no thread at all, jobs fail (500) rather than wait for ever.
        Self {
            permits: Arc::new(Semaphore::new(threads.max(1))),
            waiting: AtomicUsize::new(0),
            max_waiting,
            verifications: AtomicU64::new(0),
            jobs,
            threads,
            work_areas,
        }
    }

    /// How many password verifications (real or dummy) have run; for monitoring and
    /// for tests that check the throttle stops attempts before they are verified.
    pub fn verifications(&self) -> u64 {
        self.verifications.load(Ordering::SeqCst)
    }

    /// How many hashing threads run behind the gate.
    pub fn threads(&self) -> usize {
        self.threads
    }

    /// How many work areas the hashing threads have allocated: at most one per thread,
    /// ever.
    pub fn work_areas(&self) -> usize {
        self.work_areas.load(Ordering::SeqCst)
    }

    /// Waits for a hashing slot, or fails at once with [`ApiError::Busy`] when the queue
    /// is full. The slot is free again when the permit is dropped.
    pub async fn enter(&self) -> Result<OwnedSemaphorePermit, ApiError> {
        if let Ok(permit) = self.permits.clone().try_acquire_owned() {
            return Ok(permit);
        }
        if self.waiting.fetch_add(1, Ordering::SeqCst) >= self.max_waiting {
            self.waiting.fetch_sub(1, Ordering::SeqCst);
            return Err(ApiError::Busy { retry_after: 2 });
        }
        // Leaves the queue however the wait ends (also when the request is dropped).
        struct Waiting<'a>(&'a AtomicUsize);
        impl Drop for Waiting<'_> {
            fn drop(&mut self) {
                self.0.fetch_sub(1, Ordering::SeqCst);
            }
        }
        let _waiting = Waiting(&self.waiting);
        self.permits
            .clone()
            .acquire_owned()
            .await
            .map_err(|e| ApiError::Internal(e.into()))
    }

    /// Runs `work` on a hashing thread with that thread's work area, holding `permit`
    /// until the work is done — also when the caller stops waiting, so that a dropped
    /// request cannot make room for more work than there are threads.
    async fn submit<T, F>(&self, permit: OwnedSemaphorePermit, work: F) -> Result<T, ApiError>
    where
        F: FnOnce(&mut [Block]) -> T + Send + 'static,
        T: Send + 'static,
    {
        let (reply, answer) = oneshot::channel();
        let job: Job = Box::new(move |memory| {
            let _permit = permit;
            // Nobody waits for the answer any more: skip the work.
            if !reply.is_closed() {
                let _ = reply.send(work(memory));
            }
        });
        self.jobs
            .send(job)
            .map_err(|_| ApiError::Internal(anyhow::anyhow!("no hashing thread is running")))?;
        answer
            .await
            .map_err(|_| ApiError::Internal(anyhow::anyhow!("a hashing job failed")))
    }

    /// Runs `work` on a hashing thread once a slot is free (see [`HashGate::enter`]).
    pub(crate) async fn run<T, F>(&self, work: F) -> Result<T, ApiError>
    where
        F: FnOnce(&mut [Block]) -> T + Send + 'static,
        T: Send + 'static,
    {
        let permit = self.enter().await?;
        self.submit(permit, work).await
    }

    /// Hashes a new password on a hashing thread.
    pub async fn hash(&self, password: String) -> Result<String, ApiError> {
        self.run(move |memory| hash_in(memory, &password))
            .await?
            .map_err(ApiError::Internal)
    }

    /// Verifies a password against a stored hash on a hashing thread. A malformed hash,
    /// or one above our cost, never matches.
    pub async fn verify(&self, password: String, hash: String) -> Result<bool, ApiError> {
        let permit = self.enter().await?;
        self.verifications.fetch_add(1, Ordering::SeqCst);
        self.submit(permit, move |memory| verify_in(memory, &password, &hash))
            .await
    }
}

/// How much lower the hashing threads run than the rest of the server: so
/// that a login storm takes the CPU the other requests leave, not theirs (measured on
/// 2 cores: person gets at 32 connections fell from 4,800 to 486 req/s, p99 17 ms to
/// 189 ms, while 50 logins ran at the same priority). At nice 10 a busy hashing thread
/// still gets about a tenth of a contended core, so logins slow down but go through.
pub const HASHING_NICE: i32 = 10;

/// Lowers the calling thread's priority by [`HASHING_NICE`] from the server's own
/// (Linux: the nice value is per thread), to 19 at most; never raises it.
fn lower_priority() {
    #[cfg(target_os = "linux")]
    {
        let tid = Some(rustix::thread::gettid());
        let lowered = rustix::process::getpriority_process(tid).and_then(|now| {
            rustix::process::setpriority_process(tid, now.saturating_add(HASHING_NICE).min(19))
        });
        if let Err(e) = lowered {
            tracing::warn!(error = %e, "could not lower the priority of a hashing thread");
        }
    }
}

/// A hashing thread: takes jobs until the gate is dropped, all in one work area that
/// it allocates on its first job.
fn hashing_thread(queue: &Mutex<mpsc::Receiver<Job>>, work_areas: &AtomicUsize) {
    lower_priority();
    let mut memory: Vec<Block> = Vec::new();
    loop {
        let job = {
            // Only `recv` runs under the lock, and it does not panic.
            let queue = queue.lock().unwrap_or_else(PoisonError::into_inner);
            match queue.recv() {
                Ok(job) => job,
                Err(_) => return,
            }
        };
        if memory.is_empty() {
            memory = new_work_area();
            work_areas.fetch_add(1, Ordering::SeqCst);
        }
        // A panicking job loses its answer (the caller gets 500), not the thread.
        if std::panic::catch_unwind(AssertUnwindSafe(|| job(memory.as_mut_slice()))).is_err() {
            tracing::error!("a hashing job panicked");
        }
    }
}

/// Hashes off the executor, through the [`HashGate`].
pub async fn hash(state: &AppState, password: String) -> Result<String, ApiError> {
    state.hash_gate.hash(password).await
}

/// Verifies off the executor, through the [`HashGate`].
pub async fn verify(state: &AppState, password: String, hash: String) -> Result<bool, ApiError> {
    state.hash_gate.verify(password, hash).await
}

#[cfg(test)]
mod tests;
