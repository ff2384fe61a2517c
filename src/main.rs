fn main() {
    std::process::exit(baton::cli::main());
}
