//! Deterministic demo and benchmark data: one real province from the official list, generated
//! villages, organisations, households and people with realistic Vietnamese names, denominators,
//! and one account per role. The same seed always gives the same data.

use crate::accounts::{self, NewAccount};
use crate::people::{self, BatchItem};
use crate::units::{self, NewUnit, Unit};
use crate::{Db, DbError, Result, denominators};
use hocvuso_core::crypto::PidVault;
use hocvuso_core::password;
use hocvuso_core::people::{Groups, PersonInput, Sex, TargetGroup};
use hocvuso_core::personal_id::PersonalId;
use hocvuso_core::roles::Role;
use hocvuso_core::units::{DenominatorKind, Kind, Level};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use time::{Date, Month};

/// Family names weighted roughly by their share in Vietnam, with the Tày and Nùng names common
/// in Thái Nguyên.
const FAMILY: &[(&str, u32)] = &[
    ("Nguyễn", 380),
    ("Trần", 110),
    ("Lê", 95),
    ("Phạm", 70),
    ("Hoàng", 50),
    ("Phan", 45),
    ("Vũ", 40),
    ("Đặng", 21),
    ("Bùi", 20),
    ("Đỗ", 14),
    ("Hồ", 13),
    ("Ngô", 13),
    ("Dương", 10),
    ("Lý", 5),
    ("Ma", 12),
    ("Hà", 12),
    ("Nông", 10),
    ("Lộc", 6),
    ("Triệu", 6),
    ("Lương", 8),
    ("Đàm", 5),
    ("Chu", 5),
    ("Lục", 4),
    ("Đinh", 8),
    ("Tạ", 4),
    ("Âu", 2),
    ("Ôn", 1),
];
const MIDDLE_M: &[&str] = &[
    "Văn", "Văn", "Văn", "Đức", "Minh", "Quang", "Hữu", "Xuân", "Thành", "Công", "Tuấn", "Ngọc", "Đình",
];
const MIDDLE_F: &[&str] = &[
    "Thị", "Thị", "Thị", "Ngọc", "Thu", "Thanh", "Minh", "Phương", "Hồng", "Thùy", "Kim", "Diệu",
];
const GIVEN_M: &[&str] = &[
    "An", "Anh", "Bình", "Cường", "Dũng", "Đức", "Hải", "Hùng", "Huy", "Khánh", "Long", "Minh", "Nam", "Phong", "Quân",
    "Sơn", "Thắng", "Trung", "Tuấn", "Việt", "Vinh", "Hoàng", "Hiếu", "Kiên", "Lâm", "Lộc", "Mạnh", "Nghĩa", "Phúc",
    "Quang", "Tài", "Thành", "Toàn", "Trọng", "Tú", "Ân", "Đạt", "Ưng", "Ơn",
];
const GIVEN_F: &[&str] = &[
    "Anh", "Châu", "Chi", "Dung", "Giang", "Hà", "Hằng", "Hạnh", "Hiền", "Hoa", "Hồng", "Huệ", "Hương", "Lan", "Liên",
    "Linh", "Loan", "Mai", "My", "Nga", "Ngân", "Nhung", "Oanh", "Phương", "Quỳnh", "Tâm", "Thảo", "Thủy", "Trang",
    "Uyên", "Vân", "Yến", "Ánh", "Ngọc", "Thư", "Ắn", "Đào",
];
const VILLAGE_NAMES: &[&str] = &[
    "Đồng Tâm",
    "Tân Lập",
    "Làng Mới",
    "Bản Cái",
    "Khuôn Ngàn",
    "Nà Mòn",
    "Cầu Đá",
    "Đồng Bòng",
    "Trung Tâm",
    "Na Hang",
    "Bản Vèn",
    "Đèo Khế",
    "Phố Chợ",
    "Đồng Xe",
    "Làng Hin",
    "Khe Cốc",
    "Thanh Sơn",
    "Tân Thành",
    "Hợp Thành",
    "Minh Khai",
    "Quyết Tiến",
    "Thống Nhất",
    "Đoàn Kết",
    "Đồng Danh",
    "Bản Giang",
];

/// Personal ID province codes of people born in or near Thái Nguyên (Thái Nguyên, Bắc Kạn, Tuyên
/// Quang, Bắc Giang, Hà Nội).
const BIRTH_PROVINCES: &[&str] = &["019", "019", "019", "006", "006", "008", "024", "001"];

fn pick_weighted<'a>(rng: &mut StdRng, items: &'a [(&'a str, u32)]) -> &'a str {
    let total: u32 = items.iter().map(|(_, w)| w).sum();
    let mut x = rng.gen_range(0..total);
    for (name, w) in items {
        if x < *w {
            return name;
        }
        x -= w;
    }
    items[0].0
}

/// Person number `serial` of the generator: the serial makes the ID number unique (six last
/// digits plus the province digit above a million).
pub fn person(rng: &mut StdRng, serial: u64, today: Date) -> PersonInput {
    let sex = if rng.gen_bool(0.5) { Sex::Male } else { Sex::Female };
    let family = pick_weighted(rng, FAMILY);
    let (middle, given) = match sex {
        Sex::Male => (
            MIDDLE_M[rng.gen_range(0..MIDDLE_M.len())],
            GIVEN_M[rng.gen_range(0..GIVEN_M.len())],
        ),
        Sex::Female => (
            MIDDLE_F[rng.gen_range(0..MIDDLE_F.len())],
            GIVEN_F[rng.gen_range(0..GIVEN_F.len())],
        ),
    };
    let full_name = format!("{family} {middle} {given}");
    // Ages 6 to 85, fewer of the oldest.
    let age = if rng.gen_bool(0.85) {
        rng.gen_range(6..65)
    } else {
        rng.gen_range(65..86)
    };
    let year = today.year() - age;
    let month = Month::try_from(rng.gen_range(1..=12u8)).unwrap_or(Month::January);
    let day = rng.gen_range(1..=28u8);
    let birth_date = Date::from_calendar_date(year, month, day).unwrap_or(today);
    let province = BIRTH_PROVINCES[(serial / 1_000_000) as usize % BIRTH_PROVINCES.len()];
    let century_digit = (year / 100 - 19) * 2 + if sex == Sex::Female { 1 } else { 0 };
    let pid = format!("{province}{century_digit}{:02}{:06}", year % 100, serial % 1_000_000);
    let personal_id = PersonalId::parse_for(&pid, birth_date, sex).unwrap_or_else(|_| {
        // Unreachable with the rules above; kept total so a generator bug cannot panic a server.
        PersonalId::parse("019000000000").expect("constant is valid")
    });
    let mut groups = Groups::default();
    match age {
        6..=22 => groups.insert(TargetGroup::Student),
        23..=60 => {
            let r: f64 = rng.r#gen();
            if r < 0.08 {
                groups.insert(TargetGroup::PublicStaff)
            } else if r < 0.40 {
                groups.insert(TargetGroup::Worker)
            } else {
                groups.insert(TargetGroup::Resident)
            }
        }
        _ => groups.insert(TargetGroup::Resident),
    }
    let phone = (age >= 14 && rng.gen_bool(0.7)).then(|| {
        let prefix = ["091", "094", "098", "097", "086", "035", "038", "088", "083"][rng.gen_range(0..9)];
        format!("{prefix}{:07}", rng.gen_range(0..10_000_000u32))
    });
    PersonInput {
        full_name,
        birth_date,
        sex,
        personal_id,
        phone,
        groups,
        village: None,
        household: None,
        workplace: None,
    }
}

/// The demo logins and passwords, one per role (the learner last). Deterministic, so the README,
/// the tests and the start-up banner agree.
pub const LOGINS: &[(Role, &str)] = &[
    (Role::SystemAdmin, "0900000001"),
    (Role::SteeringAdmin, "0900000002"),
    (Role::Inspector, "0900000003"),
    (Role::Author, "0900000004"),
    (Role::Officer, "0900000005"),
    (Role::Officer, "0900000006"),
    (Role::Helper, "0900000007"),
    (Role::Author, "0900000009"),
    (Role::Author, "0900000010"),
    (Role::Learner, "0900000008"),
];

pub fn password_for(login: &str) -> String {
    format!("Demo@{}", &login[login.len().saturating_sub(4)..])
}

/// A demo account.
#[derive(Debug, Clone)]
pub struct DemoAccount {
    pub role: Role,
    pub login: String,
    pub password: String,
    pub scope: String,
}

pub struct Options {
    pub province_code: String,
    pub people: u64,
    pub villages_per_commune: (u32, u32),
    pub seed: u64,
    pub today: Date,
    /// Hash passwords with the real argon2 parameters (slow in debug builds); tests may skip
    /// accounts entirely.
    pub accounts: bool,
}

impl Options {
    pub fn demo(today: Date) -> Options {
        Options {
            province_code: "19".into(),
            people: 50_000,
            villages_per_commune: (6, 14),
            seed: 2025,
            today,
            accounts: true,
        }
    }
}

/// Seeds the demo into a database that holds only the official list. Returns the demo accounts.
pub async fn seed(db: &Db, vault: &PidVault, opts: &Options) -> Result<Vec<DemoAccount>> {
    let province = units::by_code(db, &opts.province_code)
        .await?
        .ok_or(DbError::NotFound)?;
    let communes: Vec<Unit> = units::children(db, province.id)
        .await?
        .into_iter()
        .filter(|u| u.level() == Level::Commune)
        .collect();
    if communes.is_empty() {
        return Err(DbError::Invalid("province has no communes".into()));
    }
    let mut rng = StdRng::seed_from_u64(opts.seed);
    let mut tx = db.begin().await?;
    // Villages and organisations.
    let mut villages_of: Vec<Vec<Unit>> = Vec::with_capacity(communes.len());
    for c in &communes {
        let n = rng.gen_range(opts.villages_per_commune.0..=opts.villages_per_commune.1);
        let mut vs = Vec::new();
        let ward = c.kind.as_str() == "phuong";
        for i in 0..n {
            let (kind, name) = if ward {
                (Kind::ToDanPho, format!("Tổ dân phố {}", i + 1))
            } else {
                let base = VILLAGE_NAMES[(i as usize + c.id as usize) % VILLAGE_NAMES.len()];
                let kind = if i % 4 == 3 { Kind::Ban } else { Kind::Thon };
                let prefix = if kind == Kind::Ban { "Bản" } else { "Thôn" };
                let suffix = if i as usize >= VILLAGE_NAMES.len() {
                    format!(" {}", i + 1)
                } else {
                    String::new()
                };
                (kind, format!("{prefix} {base}{suffix}"))
            };
            let v = units::create_in(
                &mut tx,
                NewUnit {
                    parent: c,
                    kind,
                    name: &name,
                    code: None,
                },
                &crate::audit::Actor::system("demo"),
            )
            .await
            .map_err(unit_err)?;
            vs.push(v);
        }
        let short = c.name.split_once(' ').map(|(_, n)| n).unwrap_or(&c.name);
        for (kind, name) in [
            (
                Kind::CoQuan,
                format!(
                    "Ủy ban nhân dân {}",
                    c.name.to_lowercase().split(' ').next().unwrap_or("xã")
                ) + " "
                    + short,
            ),
            (Kind::TruongHoc, format!("Trường Trung học cơ sở {short}")),
            (Kind::DangBo, format!("Đảng bộ {}", c.name)),
            (
                Kind::ToCongNgheSo,
                format!(
                    "Tổ công nghệ số cộng đồng {}",
                    vs.first().map(|v| v.name.as_str()).unwrap_or(short)
                ),
            ),
        ] {
            let parent = if kind == Kind::ToCongNgheSo {
                vs.first().unwrap_or(c)
            } else {
                c
            };
            units::create_in(
                &mut tx,
                NewUnit {
                    parent,
                    kind,
                    name: &name,
                    code: None,
                },
                &crate::audit::Actor::system("demo"),
            )
            .await
            .map_err(unit_err)?;
        }
        villages_of.push(vs);
    }
    tx.commit().await?;
    // People, spread over villages in proportion, in households of 2 to 6.
    let total_villages: usize = villages_of.iter().map(Vec::len).sum();
    let per_village = (opts.people as usize / total_villages.max(1)).max(1);
    let mut serial = 0u64;
    let mut batch: Vec<(PersonInput, Unit, Option<i64>)> = Vec::with_capacity(1000);
    let mut tx = db.begin().await?;
    let flat: Vec<Unit> = villages_of.iter().flatten().cloned().collect();
    for (vi, village) in flat.iter().enumerate() {
        let mut n = per_village;
        if vi == flat.len() - 1 {
            n = (opts.people - serial) as usize;
        }
        let mut left_in_household = 0;
        let mut household = None;
        let mut hh_no = 0;
        for _ in 0..n {
            if serial >= opts.people {
                break;
            }
            if left_in_household == 0 {
                hh_no += 1;
                left_in_household = rng.gen_range(2..=6);
                household = Some(people::household_id(&mut tx, village.id, &format!("HGD-{hh_no:04}")).await?);
            }
            left_in_household -= 1;
            batch.push((person(&mut rng, serial, opts.today), village.clone(), household));
            serial += 1;
            if batch.len() == 1000 {
                flush(&mut tx, vault, &mut batch).await?;
                tx.commit().await?;
                tx = db.begin().await?;
            }
        }
    }
    flush(&mut tx, vault, &mut batch).await?;
    // Denominators for this year, from the generated population (as a commune would report them).
    let year = opts.today.year();
    for (c, vs) in communes.iter().zip(&villages_of) {
        let people_here = (per_village * vs.len()) as i64;
        let figures = [
            (DenominatorKind::Adults, people_here * 72 / 100),
            (DenominatorKind::Aged16Plus, people_here * 76 / 100),
            (DenominatorKind::Students, people_here * 22 / 100),
            (DenominatorKind::PublicStaff, people_here * 5 / 100),
            (DenominatorKind::Workers, people_here * 25 / 100),
            (DenominatorKind::Households, people_here / 4),
            (DenominatorKind::Villages, vs.len() as i64),
        ];
        for (kind, value) in figures {
            denominators::set(&mut tx, c.id, year, kind, value, "Số liệu mẫu (demo)", None).await?;
        }
    }
    tx.commit().await?;
    if !opts.accounts {
        return Ok(Vec::new());
    }
    seed_accounts(db, vault, &province, &communes, &villages_of).await
}

async fn flush(tx: &mut crate::Tx, vault: &PidVault, batch: &mut Vec<(PersonInput, Unit, Option<i64>)>) -> Result<()> {
    let items: Vec<BatchItem<'_>> = batch
        .iter()
        .map(|(p, u, h)| BatchItem {
            person: p,
            residence: u,
            workplace_id: None,
            household_id: *h,
        })
        .collect();
    people::insert_batch(tx, vault, &items, None)
        .await
        .map_err(|e| match e {
            people::PersonError::Db(d) => d,
            other => DbError::Invalid(other.to_string()),
        })?;
    batch.clear();
    Ok(())
}

fn unit_err(e: units::UnitError) -> DbError {
    match e {
        units::UnitError::Db(d) => d,
        units::UnitError::Invalid(m) => DbError::Invalid(m.to_string()),
    }
}

/// One account per role: the steering committee, an inspector and an author on the province; an
/// officer on each of two communes; a helper on a village; two national content authors; a
/// learner; a system administrator.
async fn seed_accounts(
    db: &Db,
    vault: &PidVault,
    province: &Unit,
    communes: &[Unit],
    villages_of: &[Vec<Unit>],
) -> Result<Vec<DemoAccount>> {
    let country = units::by_code(db, hocvuso_core::units::COUNTRY_CODE)
        .await?
        .ok_or(DbError::NotFound)?;
    let commune = &communes[0];
    let other = communes.get(1).unwrap_or(&communes[0]);
    let village = villages_of[0].first().unwrap_or(commune);
    let plan: Vec<(Role, &str, &str, &Unit)> = vec![
        (Role::SystemAdmin, "0900000001", "Quản trị hệ thống", &country),
        (Role::SteeringAdmin, "0900000002", "Ban Chỉ đạo tỉnh", province),
        (Role::Inspector, "0900000003", "Ủy ban Kiểm tra tỉnh", province),
        (Role::Author, "0900000004", "Giảng viên biên soạn", province),
        (Role::Officer, "0900000005", "Cán bộ phụ trách xã", commune),
        (Role::Officer, "0900000006", "Cán bộ phụ trách xã bên cạnh", other),
        (Role::Helper, "0900000007", "Tổ công nghệ số cộng đồng", village),
        // The shipped courses belong to the country: one national author writes, the other
        // reviews and publishes (nobody publishes their own draft).
        (Role::Author, "0900000009", "Biên tập viên nội dung quốc gia", &country),
        (Role::Author, "0900000010", "Thẩm định viên nội dung quốc gia", &country),
    ];
    let mut out = Vec::new();
    let mut tx = db.begin().await?;
    for (role, phone, name, unit) in plan {
        let pw = password_for(phone);
        let id = accounts::create(
            &mut tx,
            NewAccount {
                display_name: name,
                phone: Some(phone),
                pid_index: None,
                person_id: None,
                password_hash: password::hash(&pw),
                must_change_password: false,
            },
        )
        .await?;
        accounts::grant(&mut tx, id, role, unit, None).await?;
        out.push(DemoAccount {
            role,
            login: phone.into(),
            password: pw,
            scope: unit.name.clone(),
        });
    }
    tx.commit().await?;
    // The learner is a real resident of the officer's commune, signing in with their phone.
    let seeding = hocvuso_core::access::Principal::system("demo")
        .authorize::<hocvuso_core::access::act::ViewPeople>(&commune.path)
        .map_err(|_| DbError::Invalid("demo seeding may view its own commune".into()))?;
    // A civil servant if the commune has one: the issue-10 journey (placement test → lessons →
    // assessment → certificate) is theirs.
    let staff = people::list(
        db,
        vault,
        &seeding,
        &people::SearchTerm::Everyone,
        people::ListFilter {
            group: Some(hocvuso_core::people::TargetGroup::PublicStaff),
        },
        people::PageAt::First,
        1,
    )
    .await?;
    let page = match staff.people.is_empty() {
        true => people::search(db, vault, &seeding, &people::SearchTerm::Everyone, None, 1).await?,
        false => staff,
    };
    if let Some(p) = page.people.first() {
        let pw = password_for("0900000008");
        let mut tx = db.begin().await?;
        accounts::create(
            &mut tx,
            NewAccount {
                display_name: &p.full_name,
                phone: Some("0900000008"),
                pid_index: None,
                person_id: Some(p.id),
                password_hash: password::hash(&pw),
                must_change_password: false,
            },
        )
        .await?;
        tx.commit().await?;
        out.push(DemoAccount {
            role: Role::Learner,
            login: "0900000008".into(),
            password: pw,
            scope: p.full_name.clone(),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn generator_is_deterministic_and_valid() {
        let today = date!(2026 - 11 - 24);
        let mut a = StdRng::seed_from_u64(7);
        let mut b = StdRng::seed_from_u64(7);
        for i in 0..2000 {
            let p = person(&mut a, i, today);
            let q = person(&mut b, i, today);
            assert_eq!(p.full_name, q.full_name);
            assert!(
                PersonalId::parse_for(p.personal_id.as_str(), p.birth_date, p.sex).is_ok(),
                "{}",
                p.full_name
            );
            assert_ne!(p.personal_id.as_str(), "019000000000");
        }
    }
}
