//! The Gulf's calendar facts the cloud and the app share: the week and digits of a workspace's
//! country, and business hours (open or closed, next opening, deadlines in open time).

mod gulf;
pub mod hours;

pub use gulf::{Country, Digits, iso_weekday};
pub use hours::{HoursError, Schedule, default_hours};
