use std::process::ExitCode;

fn main() -> ExitCode {
    depot::cli::main()
}
