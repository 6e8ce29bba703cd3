//! The Fluent files are read into the binary at compile time (`fluent_templates::static_loader!`);
//! this tells cargo to rebuild when one changes or a new one appears.
fn main() {
    println!("cargo:rerun-if-changed=../../locales");
    for lang in ["vi", "en"] {
        let dir = format!("../../locales/{lang}");
        println!("cargo:rerun-if-changed={dir}");
        if let Ok(entries) = std::fs::read_dir(&dir) {
            for e in entries.flatten() {
                println!("cargo:rerun-if-changed={}", e.path().display());
            }
        }
    }
}
