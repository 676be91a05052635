//! CLDR plural operands (n, i, v, w, f, t) of a number, computed from its
//! decimal representation so visible trailing zeros count ("1.50" has v = 2).

/// See UTS #35, "Plural Operand Meanings".
#[derive(Debug, PartialEq, Clone)]
pub struct PluralOperands {
    /// Absolute value.
    pub n: f64,
    /// Integer digits.
    pub i: u64,
    /// Number of visible fraction digits, with trailing zeros.
    pub v: usize,
    /// Number of visible fraction digits, without trailing zeros.
    pub w: usize,
    /// Visible fraction digits, with trailing zeros.
    pub f: u64,
    /// Visible fraction digits, without trailing zeros.
    pub t: u64,
}

impl<'a> TryFrom<&'a str> for PluralOperands {
    type Error = &'static str;

    fn try_from(input: &'a str) -> Result<Self, Self::Error> {
        let abs = input.trim().trim_start_matches('-');
        let n: f64 = abs.parse().map_err(|_| "not a number")?;
        let (int_part, frac_part) = abs.split_once('.').unwrap_or((abs, ""));
        if int_part.is_empty() && frac_part.is_empty() {
            return Err("not a number");
        }
        let digits_only = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if !digits_only(int_part) || !digits_only(frac_part) {
            return Err("only plain decimal numbers have plural operands");
        }
        let i = if int_part.is_empty() {
            0
        } else {
            int_part.parse().map_err(|_| "integer part too large")?
        };
        let trimmed = frac_part.trim_end_matches('0');
        let parse = |s: &str| {
            if s.is_empty() {
                Ok(0)
            } else {
                s.parse::<u64>()
            }
        };
        Ok(PluralOperands {
            n,
            i,
            v: frac_part.len(),
            w: trimmed.len(),
            f: parse(frac_part).map_err(|_| "fraction too long")?,
            t: parse(trimmed).map_err(|_| "fraction too long")?,
        })
    }
}

macro_rules! from_integer {
    ($($ty:ty)*) => {$(
        impl From<$ty> for PluralOperands {
            fn from(input: $ty) -> Self {
                let i = input.unsigned_abs() as u64;
                PluralOperands { n: i as f64, i, v: 0, w: 0, f: 0, t: 0 }
            }
        }
    )*};
}
from_integer!(i8 i16 i32 i64 isize);

macro_rules! from_unsigned {
    ($($ty:ty)*) => {$(
        impl From<$ty> for PluralOperands {
            fn from(input: $ty) -> Self {
                let i = input as u64;
                PluralOperands { n: i as f64, i, v: 0, w: 0, f: 0, t: 0 }
            }
        }
    )*};
}
from_unsigned!(u8 u16 u32 u64 usize);

macro_rules! from_display {
    ($($ty:ty)*) => {$(
        impl TryFrom<$ty> for PluralOperands {
            type Error = &'static str;
            fn try_from(input: $ty) -> Result<Self, Self::Error> {
                PluralOperands::try_from(input.to_string().as_str())
            }
        }
    )*};
}
from_display!(f32 f64 String);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operands_of_decimals() {
        let po = PluralOperands::try_from("-1.50").unwrap();
        assert_eq!(
            po,
            PluralOperands {
                n: 1.5,
                i: 1,
                v: 2,
                w: 1,
                f: 50,
                t: 5
            }
        );
        assert_eq!(PluralOperands::try_from(2.5_f64).unwrap().i, 2);
        assert_eq!(PluralOperands::from(-7_i32).i, 7);
        assert!(PluralOperands::try_from("1e3").is_err());
        assert!(PluralOperands::try_from("abc").is_err());
    }
}
