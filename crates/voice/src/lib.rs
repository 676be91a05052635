//! Voice notes as the channels take them (WhatsApp's and Telegram's voice messages are Opus in
//! Ogg, mono): PCM recorded in the app is resampled to 48 kHz, encoded with Opus tuned for speech
//! and framed in Ogg pages as RFC 7845 lays out (`OpusHead`, `OpusTags`, then 20 ms packets whose
//! granule positions count 48 kHz samples, the encoder's lookahead as pre-skip, the last page's
//! position trimming the padding).

use std::borrow::Cow;

use ogg::writing::{PacketWriteEndInfo, PacketWriter};
use opus::{Application, Bitrate, Channels, Encoder, Signal};

/// Opus's own rate; every note is encoded at it.
pub const OPUS_RATE: u32 = 48_000;
/// 20 ms at 48 kHz.
const FRAME: usize = 960;
/// Packets per Ogg page (about a second of speech).
const PACKETS_PER_PAGE: usize = 50;
/// Speech at 24 kbit/s: clear voice, about 180 kB a minute.
const BITRATE: i32 = 24_000;
/// The longest note the app records.
pub const MAX_SECONDS: u32 = 15 * 60;

#[derive(Debug, thiserror::Error)]
pub enum VoiceError {
    #[error("the recording is empty")]
    Empty,
    #[error("a voice note can be up to {} minutes long", MAX_SECONDS / 60)]
    TooLong,
    #[error("unsupported sample rate {0} Hz")]
    SampleRate(u32),
    #[error("encoding the voice note failed: {0}")]
    Encode(String),
}

impl From<opus::Error> for VoiceError {
    fn from(e: opus::Error) -> Self {
        VoiceError::Encode(e.to_string())
    }
}

impl From<std::io::Error> for VoiceError {
    fn from(e: std::io::Error) -> Self {
        VoiceError::Encode(e.to_string())
    }
}

/// An encoded voice note.
#[derive(Debug, Clone)]
pub struct VoiceNote {
    /// `audio/ogg; codecs=opus`.
    pub ogg: Vec<u8>,
    pub duration_ms: u64,
}

/// Resamples mono PCM to 48 kHz by linear interpolation (speech needs no more).
pub fn resample(pcm: &[i16], rate: u32) -> Vec<i16> {
    if rate == OPUS_RATE || pcm.is_empty() {
        return pcm.to_vec();
    }
    let out_len = (pcm.len() as u64 * u64::from(OPUS_RATE) / u64::from(rate)) as usize;
    let step = f64::from(rate) / f64::from(OPUS_RATE);
    (0..out_len)
        .map(|i| {
            let pos = i as f64 * step;
            let at = pos.floor() as usize;
            let frac = pos - at as f64;
            let a = f64::from(pcm[at.min(pcm.len() - 1)]);
            let b = f64::from(pcm[(at + 1).min(pcm.len() - 1)]);
            (a + (b - a) * frac).round() as i16
        })
        .collect()
}

/// Encodes mono 16-bit PCM at `sample_rate` into an Ogg Opus voice note; `serial` is the Ogg
/// stream's serial number (random in the app, fixed in tests).
pub fn encode(pcm: &[i16], sample_rate: u32, serial: u32) -> Result<VoiceNote, VoiceError> {
    if !(8_000..=192_000).contains(&sample_rate) {
        return Err(VoiceError::SampleRate(sample_rate));
    }
    if pcm.is_empty() {
        return Err(VoiceError::Empty);
    }
    if pcm.len() as u64 > u64::from(MAX_SECONDS) * u64::from(sample_rate) {
        return Err(VoiceError::TooLong);
    }
    let samples = resample(pcm, sample_rate);
    let mut encoder = Encoder::new(OPUS_RATE, Channels::Mono, Application::Voip)?;
    encoder.set_bitrate(Bitrate::Bits(BITRATE))?;
    encoder.set_signal(Signal::Voice)?;
    let pre_skip = usize::try_from(encoder.get_lookahead()?).unwrap_or(0);

    let mut out = PacketWriter::new(Vec::new());
    out.write_packet(
        Cow::Owned(opus_head(pre_skip as u16, sample_rate)),
        serial,
        PacketWriteEndInfo::EndPage,
        0,
    )?;
    out.write_packet(
        Cow::Owned(opus_tags()),
        serial,
        PacketWriteEndInfo::EndPage,
        0,
    )?;

    // The lookahead is encoded too (pre-skip), then padding up to whole frames; the last page's
    // granule position says where the real samples end.
    let total = samples.len() + pre_skip;
    let frames = total.div_ceil(FRAME);
    let end = (samples.len() + pre_skip) as u64;
    let mut frame = vec![0i16; FRAME];
    for k in 0..frames {
        let from = k * FRAME;
        for (i, s) in frame.iter_mut().enumerate() {
            *s = samples.get(from + i).copied().unwrap_or(0);
        }
        let packet = encoder.encode_vec(&frame, 4000)?;
        let last = k + 1 == frames;
        let granule = if last { end } else { ((k + 1) * FRAME) as u64 };
        let info = if last {
            PacketWriteEndInfo::EndStream
        } else if (k + 1) % PACKETS_PER_PAGE == 0 {
            PacketWriteEndInfo::EndPage
        } else {
            PacketWriteEndInfo::NormalPacket
        };
        out.write_packet(Cow::Owned(packet), serial, info, granule)?;
    }
    Ok(VoiceNote {
        ogg: out.into_inner(),
        duration_ms: samples.len() as u64 * 1000 / u64::from(OPUS_RATE),
    })
}

/// The identification header (RFC 7845 §5.1): mono, mapping family 0.
fn opus_head(pre_skip: u16, input_rate: u32) -> Vec<u8> {
    let mut h = b"OpusHead".to_vec();
    h.push(1); // version
    h.push(1); // channels
    h.extend(pre_skip.to_le_bytes());
    h.extend(input_rate.to_le_bytes());
    h.extend(0i16.to_le_bytes()); // output gain
    h.push(0); // channel mapping family
    h
}

/// The comment header (RFC 7845 §5.2): the vendor, no comments.
fn opus_tags() -> Vec<u8> {
    let vendor = format!("Stepup ({})", opus::version());
    let mut t = b"OpusTags".to_vec();
    t.extend((vendor.len() as u32).to_le_bytes());
    t.extend(vendor.as_bytes());
    t.extend(0u32.to_le_bytes());
    t
}
