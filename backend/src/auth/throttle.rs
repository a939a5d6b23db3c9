//! Throttling of failed logins per client address (per-account lockout lives in the
//! users table, so it holds across restarts and server instances).

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Failed attempts from one address allowed within [`WINDOW`].
pub const MAX_FAILURES_PER_ADDRESS: u32 = 30;
/// The sliding window for per-address failures.
pub const WINDOW: Duration = Duration::from_secs(15 * 60);

/// Counts failed logins per address in a fixed window.
#[derive(Debug, Default)]
pub struct LoginThrottle {
    entries: Mutex<HashMap<IpAddr, (Instant, u32)>>,
}

impl LoginThrottle {
    /// Seconds to wait if `addr` is blocked now.
    pub fn blocked_for(&self, addr: IpAddr) -> Option<u64> {
        let map = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        let (start, count) = map.get(&addr)?;
        let elapsed = start.elapsed();
        (elapsed < WINDOW && *count >= MAX_FAILURES_PER_ADDRESS)
            .then(|| (WINDOW - elapsed).as_secs().max(1))
    }

    /// Records a failure from `addr`.
    pub fn record_failure(&self, addr: IpAddr) {
        let mut map = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        if map.len() > 100_000 {
            // Bound memory under a spray of addresses: forget expired windows.
            map.retain(|_, (start, _)| start.elapsed() < WINDOW);
        }
        let entry = map.entry(addr).or_insert((Instant::now(), 0));
        if entry.0.elapsed() >= WINDOW {
            *entry = (Instant::now(), 0);
        }
        entry.1 += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_after_the_limit() {
        let t = LoginThrottle::default();
        let a: IpAddr = [127, 0, 0, 1].into();
        let b: IpAddr = [127, 0, 0, 2].into();
        for _ in 0..MAX_FAILURES_PER_ADDRESS - 1 {
            t.record_failure(a);
        }
        assert_eq!(t.blocked_for(a), None);
        t.record_failure(a);
        assert!(t.blocked_for(a).is_some());
        assert_eq!(t.blocked_for(b), None);
    }
}
