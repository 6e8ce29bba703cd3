//! A certificate as a signed W3C Verifiable Credential in the Open Badges 3.0 shape (issue 10 §4),
//! so that anyone can check it with common tools and without asking us: the issuer is a `did:web`
//! of the platform, the key a Multikey in its DID document, the proof a Data Integrity
//! `eddsa-rdfc-2022` signature (Ed25519 over the RDFC-1.0 canonical N-Quads) and revocation a
//! Bitstring Status List.
//!
//! JSON-LD contexts are never fetched: the ones a credential may use ship in `data/contexts/` and
//! are compiled in; a credential naming any other context is refused. `tests/vc/verify.mjs` checks
//! our output with the Digital Bazaar JavaScript libraries (crates/core/tests/credential_js.rs).

use std::io::Write;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ed25519_dalek::{Signer, SigningKey, VerifyingKey};
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::Certificate;
use crate::i18n::Message;

/// Where the platform serves its DID document (did:web without a path).
pub const DID_DOCUMENT_PATH: &str = "/.well-known/did.json";

/// Entries per status list: the spec's minimum size (16 KiB of bits), which keeps the list
/// private enough (an index tells little) and small to fetch.
pub const STATUS_LIST_SIZE: u64 = 131_072;

pub const CREDENTIALS_V2: &str = "https://www.w3.org/ns/credentials/v2";
pub const OPEN_BADGES_V3: &str = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json";
pub const DID_V1: &str = "https://www.w3.org/ns/did/v1";
pub const MULTIKEY_V1: &str = "https://w3id.org/security/multikey/v1";

const CRYPTOSUITE: &str = "eddsa-rdfc-2022";

/// The largest file [`verify`] reads.
pub const MAX_CREDENTIAL_BYTES: usize = 256 * 1024;

/// The JSON-LD contexts we know, by URL: the only documents the JSON-LD processor may load.
pub const CONTEXTS: &[(&str, &str)] = &[
    (
        CREDENTIALS_V2,
        include_str!("../../../../data/contexts/credentials-v2.jsonld"),
    ),
    (
        OPEN_BADGES_V3,
        include_str!("../../../../data/contexts/ob-v3p0-context-3.0.3.json"),
    ),
    (DID_V1, include_str!("../../../../data/contexts/did-v1.jsonld")),
    (
        MULTIKEY_V1,
        include_str!("../../../../data/contexts/multikey-v1.jsonld"),
    ),
];

/// The multicodec prefix of an Ed25519 public key (0xed, varint-encoded).
const ED25519_PUB_PREFIX: [u8; 2] = [0xed, 0x01];

/// The platform's signing key. `Debug` never shows it.
#[derive(Clone)]
pub struct IssuerKey(SigningKey);

impl std::fmt::Debug for IssuerKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("IssuerKey(<redacted>)")
    }
}

impl IssuerKey {
    /// The seed is derived from the platform's master key, so there is no second secret to keep.
    pub fn from_seed(seed: &[u8; 32]) -> IssuerKey {
        IssuerKey(SigningKey::from_bytes(seed))
    }

    pub fn public_key(&self) -> PublicKey {
        PublicKey(self.0.verifying_key())
    }
}

/// An Ed25519 public key as published in the DID document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PublicKey(VerifyingKey);

impl PublicKey {
    /// `z6Mk…`: base58btc of the multicodec-prefixed key (Multikey `publicKeyMultibase`).
    pub fn multibase(&self) -> String {
        let mut bytes = ED25519_PUB_PREFIX.to_vec();
        bytes.extend_from_slice(self.0.as_bytes());
        format!("z{}", bs58::encode(bytes).into_string())
    }

    pub fn from_multibase(s: &str) -> Option<PublicKey> {
        let bytes = bs58::decode(s.strip_prefix('z')?).into_vec().ok()?;
        let key: [u8; 32] = bytes.strip_prefix(&ED25519_PUB_PREFIX)?.try_into().ok()?;
        VerifyingKey::from_bytes(&key).ok().map(PublicKey)
    }
}

/// Who signs: the platform as a `did:web`, with the issuing body's name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issuer {
    /// `did:web:…`
    pub id: String,
    /// The platform's name, shown as the issuer of status lists. A certificate names its own
    /// issuing body (`Certificate::issuer_name`), which may differ from province to province.
    pub name: String,
}

impl Issuer {
    /// `https://hocvuso.example.vn` → `did:web:hocvuso.example.vn`; a port is kept as `%3A8080`.
    /// A base URL with a path is refused: the DID document is served at [`DID_DOCUMENT_PATH`],
    /// which is where did:web looks only for a DID without path segments.
    pub fn did_web(base_url: &str, name: &str) -> Result<Issuer, Message> {
        let bad = || Message::new("certificate-vc-bad-base-url").arg("url", base_url);
        let rest = base_url
            .strip_prefix("https://")
            .or_else(|| base_url.strip_prefix("http://"))
            .ok_or_else(bad)?;
        let authority = rest.strip_suffix('/').unwrap_or(rest);
        if authority.contains(['/', '?', '#', '@']) {
            return Err(bad());
        }
        let (host, port) = match authority.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (authority, None),
        };
        let host = host.to_ascii_lowercase();
        let host_ok = !host.is_empty()
            && host
                .split('.')
                .all(|l| !l.is_empty() && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'));
        let port_ok = port.is_none_or(|p| p.parse::<u16>().is_ok_and(|n| n > 0));
        if !host_ok || !port_ok {
            return Err(bad());
        }
        let id = match port {
            Some(p) => format!("did:web:{host}%3A{p}"),
            None => format!("did:web:{host}"),
        };
        Ok(Issuer {
            id,
            name: name.to_string(),
        })
    }

    /// Where a verifier resolves this DID (did:web always resolves over HTTPS).
    pub fn did_document_url(&self) -> String {
        let authority = self.id.strip_prefix("did:web:").unwrap_or(&self.id).replace("%3A", ":");
        format!("https://{authority}{DID_DOCUMENT_PATH}")
    }

    /// The id of the n-th key (1-based), the form a proof's `verificationMethod` takes.
    pub fn key_id(&self, n: usize) -> String {
        format!("{}#key-{n}", self.id)
    }

    /// The DID document: every key as a Multikey allowed to sign credentials, `#key-1` first.
    /// The current key must stay first, since [`issue`] signs as `#key-1`; older keys follow so
    /// that what they signed keeps verifying.
    pub fn did_document(&self, keys: &[PublicKey]) -> Value {
        let methods: Vec<Value> = keys
            .iter()
            .enumerate()
            .map(|(i, k)| {
                json!({
                    "id": self.key_id(i + 1),
                    "type": "Multikey",
                    "controller": self.id,
                    "publicKeyMultibase": k.multibase(),
                })
            })
            .collect();
        let refs: Vec<String> = (1..=keys.len()).map(|n| self.key_id(n)).collect();
        json!({
            "@context": [DID_V1, MULTIKEY_V1],
            "id": self.id,
            "verificationMethod": methods,
            "assertionMethod": refs,
        })
    }
}

/// Where a certificate's revocation bit lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusEntry {
    /// The status list credential's URL.
    pub list_url: String,
    /// The bit within that list.
    pub index: u64,
}

impl StatusEntry {
    /// The n-th certificate ever issued: list `{base}/{n / 131072}`, bit `n % 131072`.
    pub fn nth(list_base_url: &str, n: u64) -> StatusEntry {
        StatusEntry {
            list_url: format!("{}/{}", list_base_url.trim_end_matches('/'), n / STATUS_LIST_SIZE),
            index: n % STATUS_LIST_SIZE,
        }
    }
}

/// Signs a certificate as an `OpenBadgeCredential`.
pub fn issue(cert: &Certificate, issuer: &Issuer, key: &IssuerKey, status: StatusEntry) -> Result<Value, Message> {
    let code = cert.code.as_str();
    if !cert.verify_url.ends_with(&format!("/xac-minh/{code}"))
        || !(cert.verify_url.starts_with("https://") || cert.verify_url.starts_with("http://"))
    {
        return Err(Message::new("certificate-vc-bad-verify-url")
            .arg("url", &cert.verify_url)
            .arg("code", code));
    }
    if status.index >= STATUS_LIST_SIZE {
        return Err(Message::new("certificate-vc-bad-status-index").arg("index", status.index));
    }
    // The day of issue began in Vietnam (UTC+7), where the date was read: midnight UTC of that
    // date is still the future for the first seven hours of a Vietnamese day, and a verifier
    // refuses a credential that is not valid yet.
    let vietnam = time::UtcOffset::from_hms(7, 0, 0).unwrap_or(time::UtcOffset::UTC);
    let valid_from = date_time(
        cert.issued_on
            .midnight()
            .assume_offset(vietnam)
            .to_offset(time::UtcOffset::UTC),
    );
    let level_id = format!("{}#muc-do", cert.verify_url);
    let credential = json!({
        "@context": [CREDENTIALS_V2, OPEN_BADGES_V3],
        "id": cert.verify_url,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {
            "id": issuer.id,
            "type": ["Profile"],
            "name": cert.issuer_name,
        },
        "validFrom": valid_from,
        "name": cert.achievement,
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "name": cert.holder_name,
            "achievement": {
                "id": achievement_id(&issuer.id, &cert.achievement),
                "type": ["Achievement"],
                "achievementType": cert.kind.achievement_type(),
                "name": cert.achievement,
                "description": cert.criteria,
                "criteria": { "narrative": cert.criteria },
                "resultDescription": [{
                    "id": level_id,
                    "type": ["ResultDescription"],
                    "name": "Mức độ đạt được",
                    "resultType": "PerformanceLevel",
                }],
            },
            "result": [{
                "type": ["Result"],
                "resultDescription": level_id,
                "value": cert.level,
            }],
        },
        "credentialStatus": {
            "id": format!("{}#{}", status.list_url, status.index),
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": status.index.to_string(),
            "statusListCredential": status.list_url,
        },
    });
    sign(credential, issuer, key)
}

/// A signed `BitstringStatusListCredential` at `url`: bit i set when certificate i of this list
/// is revoked.
pub fn status_list(
    url: &str,
    issuer: &Issuer,
    key: &IssuerKey,
    revoked: &[u64],
    valid_from: OffsetDateTime,
) -> Result<Value, Message> {
    let mut bits = vec![0u8; (STATUS_LIST_SIZE / 8) as usize];
    for &i in revoked {
        if i >= STATUS_LIST_SIZE {
            return Err(Message::new("certificate-vc-bad-status-index").arg("index", i));
        }
        // The spec numbers bits from the left: index 0 is the first byte's most significant bit.
        bits[(i / 8) as usize] |= 0x80 >> (i % 8);
    }
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    let compressed = gz
        .write_all(&bits)
        .and_then(|()| gz.finish())
        .map_err(|e| Message::new("certificate-vc-internal").arg("error", e))?;
    let credential = json!({
        "@context": [CREDENTIALS_V2],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": { "id": issuer.id, "name": issuer.name },
        "validFrom": date_time(valid_from),
        "credentialSubject": {
            "id": format!("{url}#list"),
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": format!("u{}", URL_SAFE_NO_PAD.encode(compressed)),
        },
    });
    sign(credential, issuer, key)
}

/// Reads bit `index` of a status list's `encodedList` (multibase base64url of the GZIP of the
/// bits). `None` when it is not such a list or the index is past its end.
pub fn status_bit(encoded_list: &str, index: u64) -> Option<bool> {
    use std::io::Read;
    let gz = URL_SAFE_NO_PAD.decode(encoded_list.strip_prefix('u')?).ok()?;
    let mut bits = Vec::new();
    // Bounded: a hostile list must not inflate without limit.
    flate2::read::GzDecoder::new(gz.as_slice())
        .take(16 * 1024 * 1024)
        .read_to_end(&mut bits)
        .ok()?;
    let byte = bits.get(usize::try_from(index / 8).ok()?)?;
    Some(byte & (0x80 >> (index % 8)) != 0)
}

/// What a genuine credential says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    pub holder_name: String,
    pub achievement: String,
    pub level: String,
    /// `validFrom` as written: the start of the day of issue in Vietnam, e.g.
    /// `2026-12-05T17:00:00Z` for 6 December 2026.
    pub issued: String,
    pub code: super::Code,
    pub status_index: u64,
    pub status_list_url: String,
}

/// Why a file is not a genuine certificate credential of this issuer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    NotJson,
    NotCredential,
    NoProof,
    WrongCryptosuite {
        found: String,
    },
    BadProof,
    OtherIssuer {
        found: String,
    },
    UnknownKey {
        found: String,
    },
    /// The signature does not cover this content: something was changed after signing.
    SignatureMismatch,
    /// A property or type no shipped context defines: JSON-LD would drop it silently, so the
    /// signature would not cover it (the JavaScript libraries' "safe mode" refuses it too).
    UndefinedTerm {
        term: String,
    },
    UnsupportedContext {
        url: String,
    },
}

impl Failure {
    pub fn message(&self) -> Message {
        match self {
            Failure::NotJson => Message::new("certificate-vc-not-json"),
            Failure::NotCredential => Message::new("certificate-vc-not-credential"),
            Failure::NoProof => Message::new("certificate-vc-no-proof"),
            Failure::WrongCryptosuite { found } => Message::new("certificate-vc-wrong-cryptosuite").arg("found", found),
            Failure::BadProof => Message::new("certificate-vc-bad-proof"),
            Failure::OtherIssuer { found } => Message::new("certificate-vc-other-issuer").arg("found", found),
            Failure::UnknownKey { found } => Message::new("certificate-vc-unknown-key").arg("found", found),
            Failure::SignatureMismatch => Message::new("certificate-vc-signature-mismatch"),
            Failure::UndefinedTerm { term } => Message::new("certificate-vc-undefined-term").arg("term", term),
            Failure::UnsupportedContext { url } => Message::new("certificate-vc-unsupported-context").arg("url", url),
        }
    }
}

/// Checks a credential file: our contexts only, signed by one of `keys` of `issuer`, signature
/// over exactly this content. The summary is read from the same parsed JSON that was
/// canonicalized, so what is shown is what was checked.
pub fn verify(bytes: &[u8], issuer: &Issuer, keys: &[PublicKey]) -> Result<Verified, Failure> {
    // Ours are about 2 KB; a bound keeps a hostile upload from costing much to parse.
    if bytes.len() > MAX_CREDENTIAL_BYTES {
        return Err(Failure::NotCredential);
    }
    let doc: Value = serde_json::from_slice(bytes).map_err(|_| Failure::NotJson)?;
    let Value::Object(mut doc) = doc else {
        return Err(Failure::NotCredential);
    };
    check_contexts(&doc)?;
    let contexts = doc.get("@context").and_then(Value::as_array);
    let expected = [CREDENTIALS_V2, OPEN_BADGES_V3];
    if contexts.is_none_or(|c| c.len() != 2 || c.iter().zip(expected).any(|(a, b)| a != b)) {
        return Err(Failure::NotCredential);
    }
    let types = doc.get("type").and_then(Value::as_array);
    let has_type = |t: &str| types.is_some_and(|ts| ts.iter().any(|x| x == t));
    if !has_type("VerifiableCredential") || !has_type("OpenBadgeCredential") {
        return Err(Failure::NotCredential);
    }
    let proof = doc.remove("proof").ok_or(Failure::NoProof)?;
    let Value::Object(mut proof) = proof else {
        // Several proofs (an array) are never what we issue.
        return Err(Failure::BadProof);
    };
    let text = |m: &Map<String, Value>, k: &str| m.get(k).and_then(Value::as_str).map(str::to_string);
    if text(&proof, "type").as_deref() != Some("DataIntegrityProof")
        || text(&proof, "cryptosuite").as_deref() != Some(CRYPTOSUITE)
    {
        let found = text(&proof, "cryptosuite")
            .or_else(|| text(&proof, "type"))
            .unwrap_or_default();
        return Err(Failure::WrongCryptosuite { found });
    }
    if text(&proof, "proofPurpose").as_deref() != Some("assertionMethod") {
        return Err(Failure::BadProof);
    }
    let issuer_id = match doc.get("issuer") {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Object(o)) => text(o, "id").unwrap_or_default(),
        _ => return Err(Failure::NotCredential),
    };
    if issuer_id != issuer.id {
        return Err(Failure::OtherIssuer { found: issuer_id });
    }
    let method = text(&proof, "verificationMethod").ok_or(Failure::BadProof)?;
    let Some(n) = method
        .strip_prefix(&format!("{}#key-", issuer.id))
        .and_then(|n| n.parse::<usize>().ok())
    else {
        return Err(if method.starts_with(&format!("{}#", issuer.id)) {
            Failure::UnknownKey { found: method }
        } else {
            Failure::OtherIssuer { found: method }
        });
    };
    let Some(public) = n.checked_sub(1).and_then(|i| keys.get(i)) else {
        return Err(Failure::UnknownKey { found: method });
    };
    let signature = proof
        .remove("proofValue")
        .and_then(|v| v.as_str().and_then(|s| s.strip_prefix('z')).map(str::to_string))
        .and_then(|s| bs58::decode(s).into_vec().ok())
        .and_then(|b| <[u8; 64]>::try_from(b).ok())
        .map(|b| ed25519_dalek::Signature::from_bytes(&b))
        .ok_or(Failure::BadProof)?;
    if proof.get("@context").is_some_and(|c| Some(c) != doc.get("@context")) {
        return Err(Failure::BadProof);
    }
    proof.insert("@context".into(), doc["@context"].clone());
    let mut data = Sha256::digest(strict_canonical(&proof)?.as_bytes()).to_vec();
    data.extend_from_slice(&Sha256::digest(strict_canonical(&doc)?.as_bytes()));
    public
        .0
        .verify_strict(&data, &signature)
        .map_err(|_| Failure::SignatureMismatch)?;
    summary(&doc).ok_or(Failure::NotCredential)
}

fn summary(doc: &Map<String, Value>) -> Option<Verified> {
    let s = |v: &Value| v.as_str().map(str::to_string);
    let id = doc.get("id").and_then(Value::as_str)?;
    let code = super::Code::parse(id.rsplit_once("/xac-minh/")?.1)?;
    let subject = doc.get("credentialSubject")?;
    let status = doc.get("credentialStatus")?;
    Some(Verified {
        holder_name: s(&subject["name"])?,
        achievement: s(&subject["achievement"]["name"])?,
        level: s(&subject["result"][0]["value"])?,
        issued: s(doc.get("validFrom")?)?,
        code,
        status_index: status["statusListIndex"].as_str()?.parse().ok()?,
        status_list_url: s(&status["statusListCredential"])?,
    })
}

/// Refuses any context we do not ship, wherever it appears (embedded contexts too), before the
/// JSON-LD processor sees the document.
fn check_contexts(doc: &Map<String, Value>) -> Result<(), Failure> {
    fn walk(v: &Value, top: bool) -> Result<(), Failure> {
        match v {
            Value::Object(m) => {
                for (k, v) in m {
                    if k == "@context" {
                        let list = match v {
                            Value::Array(a) => a.as_slice(),
                            other => std::slice::from_ref(other),
                        };
                        for c in list {
                            let url = match c {
                                Value::String(u) => u.clone(),
                                // An inline context could redefine what a term means.
                                other => other.to_string().chars().take(80).collect(),
                            };
                            if !top || !CONTEXTS.iter().any(|(known, _)| *known == url) {
                                return Err(Failure::UnsupportedContext { url });
                            }
                        }
                    } else {
                        walk(v, false)?;
                    }
                }
                Ok(())
            }
            Value::Array(a) => a.iter().try_for_each(|v| walk(v, false)),
            _ => Ok(()),
        }
    }
    for (k, v) in doc {
        if k == "@context" {
            walk(&json!({ "@context": v }), true)?;
        } else if k == "proof" {
            // The proof may repeat the document's contexts.
            if let Value::Object(p) = v {
                for (pk, pv) in p {
                    if pk == "@context" {
                        walk(&json!({ "@context": pv }), true)?;
                    } else {
                        walk(pv, false)?;
                    }
                }
            }
        } else {
            walk(v, false)?;
        }
    }
    Ok(())
}

fn sign(mut credential: Value, issuer: &Issuer, key: &IssuerKey) -> Result<Value, Message> {
    let context = credential["@context"].clone();
    let mut proof = json!({
        "type": "DataIntegrityProof",
        "cryptosuite": CRYPTOSUITE,
        "created": date_time(OffsetDateTime::now_utc()),
        "verificationMethod": issuer.key_id(1),
        "proofPurpose": "assertionMethod",
    });
    let mut config = proof.clone();
    config["@context"] = context;
    let data = hash_data(&config, &credential)
        .map_err(|f| Message::new("certificate-vc-internal").arg("error", format!("{f:?}")))?;
    let signature = key.0.sign(&data);
    proof["proofValue"] = format!("z{}", bs58::encode(signature.to_bytes()).into_string()).into();
    credential["proof"] = proof;
    Ok(credential)
}

/// eddsa-rdfc-2022 "hashing": SHA-256 of the canonical proof options, then of the canonical
/// document, concatenated (64 bytes, the message Ed25519 signs).
fn hash_data(proof_config: &Value, document: &Value) -> Result<Vec<u8>, Failure> {
    let mut out = Sha256::digest(canonical_nquads(proof_config)?.as_bytes()).to_vec();
    out.extend_from_slice(&Sha256::digest(canonical_nquads(document)?.as_bytes()));
    Ok(out)
}

/// Canonical N-Quads of a document to verify, refusing any term JSON-LD would drop. The document
/// is expanded once with a catch-all `@vocab` appended to its (already checked, protected)
/// contexts: an undefined property or type lands in that vocabulary and is refused. When none
/// does, the catch-all changed nothing, so these quads are the document's own; and were they not,
/// the signature, made over the document's own quads, would simply not match.
fn strict_canonical(doc: &Map<String, Value>) -> Result<String, Failure> {
    const CATCH_ALL: &str = "urn:hocvuso:undefined-term:";
    let mut probe = doc.clone();
    let mut contexts = match probe.remove("@context") {
        Some(Value::Array(a)) => a,
        Some(other) => vec![other],
        None => Vec::new(),
    };
    contexts.push(json!({ "@vocab": CATCH_ALL }));
    probe.insert("@context".into(), Value::Array(contexts));
    let quads = to_quads(&Value::Object(probe))?;
    for quad in &quads {
        let object = match &quad.object {
            oxrdf::Term::NamedNode(n) => Some(n.as_str()),
            _ => None,
        };
        for iri in [Some(quad.predicate.as_str()), object].into_iter().flatten() {
            if let Some(term) = iri.strip_prefix(CATCH_ALL) {
                return Err(Failure::UndefinedTerm { term: term.to_string() });
            }
        }
    }
    canonical(quads)
}

/// JSON-LD → RDF with only the shipped contexts → RDFC-1.0 canonical N-Quads.
pub fn canonical_nquads(doc: &Value) -> Result<String, Failure> {
    canonical(to_quads(doc)?)
}

fn canonical(quads: Vec<oxrdf::Quad>) -> Result<String, Failure> {
    let quads: Vec<oxrdf02::Quad> = quads.into_iter().map(to_oxrdf02).collect();
    rdf_canon::canonicalize_quads(&quads).map_err(|_| Failure::NotCredential)
}

const NOT_SHIPPED_START: &str = "context <";
const NOT_SHIPPED_END: &str = "> is not shipped with hocvuso";

fn to_quads(doc: &Value) -> Result<Vec<oxrdf::Quad>, Failure> {
    let bytes = serde_json::to_vec(doc).map_err(|_| Failure::NotJson)?;
    let parser = oxjsonld::JsonLdParser::new()
        .for_slice(&bytes)
        .with_load_document_callback(|url, _| {
            CONTEXTS
                .iter()
                .find(|(known, _)| *known == url)
                .map(|(known, text)| oxjsonld::JsonLdRemoteDocument {
                    document: text.as_bytes().to_vec(),
                    document_url: (*known).to_string(),
                })
                .ok_or_else(|| format!("{NOT_SHIPPED_START}{url}{NOT_SHIPPED_END}").into())
        });
    let mut quads = Vec::new();
    for quad in parser {
        let quad = quad.map_err(|e| {
            let text = e.to_string();
            match text
                .split_once(NOT_SHIPPED_START)
                .and_then(|(_, rest)| rest.split_once(NOT_SHIPPED_END))
            {
                Some((url, _)) => Failure::UnsupportedContext { url: url.to_string() },
                None => Failure::NotCredential,
            }
        })?;
        quads.push(quad);
    }
    Ok(quads)
}

/// rdf-canon still uses oxrdf 0.2, the JSON-LD parser 0.3: same terms, other types.
fn to_oxrdf02(q: oxrdf::Quad) -> oxrdf02::Quad {
    use oxrdf02 as o2;
    let subject = match q.subject {
        oxrdf::NamedOrBlankNode::NamedNode(n) => o2::Subject::NamedNode(o2::NamedNode::new_unchecked(n.into_string())),
        oxrdf::NamedOrBlankNode::BlankNode(b) => o2::Subject::BlankNode(o2::BlankNode::new_unchecked(b.into_string())),
    };
    let object = match q.object {
        oxrdf::Term::NamedNode(n) => o2::Term::NamedNode(o2::NamedNode::new_unchecked(n.into_string())),
        oxrdf::Term::BlankNode(b) => o2::Term::BlankNode(o2::BlankNode::new_unchecked(b.into_string())),
        oxrdf::Term::Literal(l) => o2::Term::Literal(match l.language() {
            Some(lang) => o2::Literal::new_language_tagged_literal_unchecked(l.value(), lang),
            None => o2::Literal::new_typed_literal(l.value(), o2::NamedNode::new_unchecked(l.datatype().as_str())),
        }),
    };
    let graph_name = match q.graph_name {
        oxrdf::GraphName::NamedNode(n) => o2::GraphName::NamedNode(o2::NamedNode::new_unchecked(n.into_string())),
        oxrdf::GraphName::BlankNode(b) => o2::GraphName::BlankNode(o2::BlankNode::new_unchecked(b.into_string())),
        oxrdf::GraphName::DefaultGraph => o2::GraphName::DefaultGraph,
    };
    o2::Quad::new(
        subject,
        o2::NamedNode::new_unchecked(q.predicate.into_string()),
        object,
        graph_name,
    )
}

fn date_time(t: OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC).replace_nanosecond(0).unwrap_or(t);
    t.format(&Rfc3339).unwrap_or_default()
}

/// The same achievement from the same issuer gets the same id on every holder's credential:
/// a name-based UUID (version 8 layout) of SHA-256 over the issuer and the achievement's name.
fn achievement_id(issuer: &str, achievement: &str) -> String {
    let h = Sha256::digest(format!("{issuer}\n{achievement}").as_bytes());
    let mut b = [0u8; 16];
    b.copy_from_slice(&h[..16]);
    b[6] = (b[6] & 0x0f) | 0x80;
    b[8] = (b[8] & 0x3f) | 0x80;
    let x = hex::encode(b);
    format!(
        "urn:uuid:{}-{}-{}-{}-{}",
        &x[..8],
        &x[8..12],
        &x[12..16],
        &x[16..20],
        &x[20..]
    )
}

#[cfg(test)]
mod tests;
