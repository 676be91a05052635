//! Ids that rise in the order they are made. Timelines order by time, then id; providers stamp
//! in whole seconds and two sends can share a millisecond, so an id that rises with arrival keeps
//! a burst in the order it came in, on the cloud (message ids) and in the app (the outbox's).

use std::sync::Mutex;

/// Makes `prefix_`, the millisecond as 12 hex digits, then a counter of 16: every id sorts after
/// the ones this maker made before, even within one millisecond or when the clock goes back. The
/// counter starts at a random point each millisecond (the caller's `random`, 63 bits kept), so
/// two makers (two nodes, two devices) in one millisecond stay unique and merely concurrent.
#[derive(Debug, Default)]
pub struct RisingIds {
    last: Mutex<(u64, u64)>,
}

impl RisingIds {
    pub fn next(&self, prefix: &str, now_ms: i64, random: u64) -> String {
        let now = u64::try_from(now_ms).unwrap_or(0) & 0xffff_ffff_ffff;
        let mut last = self.last.lock().unwrap_or_else(|e| e.into_inner());
        let (ms, counter) = if now > last.0 {
            (now, random >> 1)
        } else {
            // The clock stood still or went back: stay on the last millisecond, one further.
            (last.0, last.1.wrapping_add(1))
        };
        *last = (ms, counter);
        format!("{prefix}_{ms:012x}{counter:016x}")
    }
}

#[cfg(test)]
mod tests {
    use super::RisingIds;

    #[test]
    fn ids_rise_with_arrival_even_within_a_millisecond_or_when_the_clock_goes_back() {
        let ids = RisingIds::default();
        let randoms = [u64::MAX, 5, u64::MAX / 3, 0, 9, 1];
        let times = [1_000, 1_000, 1_000, 999, 2_000, 2_000];
        let made: Vec<String> = times
            .iter()
            .zip(randoms)
            .map(|(&t, r)| ids.next("msg", t, r))
            .collect();
        let mut sorted = made.clone();
        sorted.sort();
        assert_eq!(made, sorted);
        sorted.dedup();
        assert_eq!(sorted.len(), made.len());
        assert!(made.iter().all(|id| id.len() == "msg_".len() + 28));
    }
}
