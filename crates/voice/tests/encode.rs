//! A voice note read back as a player would: Ogg pages with valid checksums, the Opus headers,
//! then packets that decode to the same sound (a 440 Hz tone stays a 440 Hz tone of the same
//! length and loudness), from the rates microphones record at.

use std::io::Cursor;

use ogg::reading::PacketReader;
use opus::{Channels, Decoder};
use stepup_voice::{MAX_SECONDS, OPUS_RATE, VoiceError, encode, resample};

fn tone(rate: u32, seconds: f64, hz: f64, amplitude: f64) -> Vec<i16> {
    let n = (f64::from(rate) * seconds) as usize;
    (0..n)
        .map(|i| {
            let t = i as f64 / f64::from(rate);
            (amplitude * (2.0 * std::f64::consts::PI * hz * t).sin()).round() as i16
        })
        .collect()
}

struct Decoded {
    pre_skip: usize,
    input_rate: u32,
    vendor: String,
    samples: Vec<i16>,
    last_granule: u64,
    serial: u32,
}

fn decode(ogg: &[u8]) -> Decoded {
    let mut r = PacketReader::new(Cursor::new(ogg));
    let head = r.read_packet().unwrap().expect("OpusHead");
    assert_eq!(&head.data[..8], b"OpusHead");
    assert_eq!(head.data[8], 1, "version");
    assert_eq!(head.data[9], 1, "mono");
    let pre_skip = u16::from_le_bytes([head.data[10], head.data[11]]) as usize;
    let input_rate = u32::from_le_bytes(head.data[12..16].try_into().unwrap());
    assert_eq!(head.data[18], 0, "mapping family 0");
    let serial = head.stream_serial();
    let tags = r.read_packet().unwrap().expect("OpusTags");
    assert_eq!(&tags.data[..8], b"OpusTags");
    let len = u32::from_le_bytes(tags.data[8..12].try_into().unwrap()) as usize;
    let vendor = String::from_utf8(tags.data[12..12 + len].to_vec()).unwrap();

    let mut decoder = Decoder::new(OPUS_RATE, Channels::Mono).unwrap();
    let mut samples = Vec::new();
    let mut last_granule = 0;
    let mut buf = vec![0i16; 5760];
    while let Some(p) = r.read_packet().unwrap() {
        let n = decoder.decode(&p.data, &mut buf, false).unwrap();
        samples.extend_from_slice(&buf[..n]);
        last_granule = p.absgp_page();
        if p.last_in_stream() {
            break;
        }
    }
    Decoded {
        pre_skip,
        input_rate,
        vendor,
        samples,
        last_granule,
        serial,
    }
}

/// The played samples: pre-skip dropped, cut at the last granule position (RFC 7845 §4).
fn played(d: &Decoded) -> &[i16] {
    &d.samples[d.pre_skip..d.last_granule as usize]
}

fn zero_crossing_hz(s: &[i16]) -> f64 {
    let crossings = s.windows(2).filter(|w| (w[0] < 0) != (w[1] < 0)).count();
    crossings as f64 / 2.0 / (s.len() as f64 / f64::from(OPUS_RATE))
}

fn rms(s: &[i16]) -> f64 {
    (s.iter().map(|&x| f64::from(x).powi(2)).sum::<f64>() / s.len() as f64).sqrt()
}

#[test]
fn a_tone_at_48_khz_comes_back_the_same_length_pitch_and_loudness() {
    let pcm = tone(48_000, 2.0, 440.0, 8_000.0);
    let note = encode(&pcm, 48_000, 0x5EED).unwrap();
    assert_eq!(note.duration_ms, 2_000);
    assert!(note.ogg.starts_with(b"OggS"));
    // 24 kbit/s speech: about 6 kB for 2 s (headers and framing included).
    assert!(
        (3_000..12_000).contains(&note.ogg.len()),
        "{} bytes",
        note.ogg.len()
    );
    let d = decode(&note.ogg);
    assert_eq!(d.serial, 0x5EED);
    assert_eq!(d.input_rate, 48_000);
    assert!(d.vendor.starts_with("Stepup"), "{}", d.vendor);
    assert!(
        d.pre_skip > 0 && d.pre_skip < 1000,
        "pre-skip {}",
        d.pre_skip
    );
    let out = played(&d);
    assert_eq!(out.len(), pcm.len(), "same number of samples");
    // Skip the first and last 50 ms (the codec settles).
    let middle = &out[2_400..out.len() - 2_400];
    let hz = zero_crossing_hz(middle);
    assert!((hz - 440.0).abs() < 5.0, "pitch {hz} Hz");
    let (a, b) = (rms(&pcm[2_400..pcm.len() - 2_400]), rms(middle));
    assert!((b / a - 1.0).abs() < 0.25, "loudness {a} → {b}");
}

#[test]
fn a_laptop_microphone_at_44_1_khz_keeps_its_duration_and_pitch() {
    let pcm = tone(44_100, 1.5, 300.0, 6_000.0);
    let note = encode(&pcm, 44_100, 7).unwrap();
    assert_eq!(note.duration_ms, 1_500);
    let d = decode(&note.ogg);
    assert_eq!(
        d.input_rate, 44_100,
        "the original rate is kept in the header"
    );
    let out = played(&d);
    assert_eq!(out.len(), 72_000);
    let hz = zero_crossing_hz(&out[2_400..out.len() - 2_400]);
    assert!((hz - 300.0).abs() < 5.0, "pitch {hz} Hz");
}

#[test]
fn pages_break_about_every_second_so_players_can_seek() {
    let note = encode(&tone(16_000, 5.0, 200.0, 4_000.0), 16_000, 1).unwrap();
    let pages = note.ogg.windows(4).filter(|w| w == b"OggS").count();
    // Two header pages, then one per second or so.
    assert!((6..=9).contains(&pages), "{pages} pages");
}

#[test]
fn resampling_keeps_the_length_in_time() {
    assert_eq!(resample(&[0; 44_100], 44_100).len(), 48_000);
    assert_eq!(resample(&[0; 16_000], 16_000).len(), 48_000);
    assert_eq!(resample(&[1, 2, 3], 48_000), vec![1, 2, 3]);
    // A ramp stays a ramp.
    let up: Vec<i16> = (0..1_000).collect();
    let r = resample(&up, 24_000);
    assert!(r.windows(2).all(|w| w[1] >= w[0]));
}

#[test]
fn nothing_too_long_or_at_a_strange_rate_is_encoded() {
    assert!(matches!(encode(&[], 48_000, 1), Err(VoiceError::Empty)));
    assert!(matches!(
        encode(&[0; 10], 4_000, 1),
        Err(VoiceError::SampleRate(4_000))
    ));
    let long = vec![0i16; (MAX_SECONDS as usize + 1) * 8_000];
    assert!(matches!(encode(&long, 8_000, 1), Err(VoiceError::TooLong)));
}
