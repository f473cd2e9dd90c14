//! `mobilize serve`: the live dashboard.

use std::net::IpAddr;
use std::path::PathBuf;

use clap::Args;

use crate::Failure;

/// Arguments of `mobilize serve`.
#[derive(Args, Debug)]
pub struct ServeArgs {
    /// Port to listen on (0: any free port, printed).
    #[arg(long, default_value_t = 8080)]
    pub port: u16,
    /// Address to listen on. Anything but a loopback address exposes the dashboard (and the
    /// power to start runs) to the network.
    #[arg(long, default_value = "127.0.0.1")]
    pub host: String,
    /// Folder of run folders: runs started here go there, and CLI runs there are listed.
    #[arg(long, default_value = "runs")]
    pub runs: PathBuf,
    /// Folder of scenario files offered besides the embedded ones (only its `.toml` files).
    #[arg(long)]
    pub scenarios: Option<PathBuf>,
    /// Runs executing at once.
    #[arg(long, default_value_t = 2)]
    pub max_runs: usize,
    /// Runs waiting for a slot; beyond this, starting one is answered "busy".
    #[arg(long, default_value_t = 4)]
    pub queue: usize,
    /// Largest request body (bytes).
    #[arg(long, default_value_t = 1 << 20)]
    pub body_limit: usize,
}

/// Serves until interrupted.
pub fn run(args: ServeArgs) -> Result<(), Failure> {
    let ip: IpAddr = args.host.parse().map_err(|_| {
        eprintln!(
            "error: --host {}: not an IP address (e.g. 127.0.0.1 or 0.0.0.0)",
            args.host
        );
        Failure::Input
    })?;
    if args.max_runs == 0 {
        eprintln!("error: --max-runs must be at least 1");
        return Err(Failure::Input);
    }
    if !ip.is_loopback() {
        eprintln!(
            "warning: listening on {ip}, not a loopback address: anyone who can reach this machine can see runs and start them"
        );
    }
    std::fs::create_dir_all(&args.runs).map_err(|e| {
        Failure::Other(format!(
            "cannot create folder `{}`: {e}",
            args.runs.display()
        ))
    })?;
    let config = mobilize_serve::Config {
        runs: args.runs.clone(),
        scenarios: args.scenarios.clone(),
        max_runs: args.max_runs,
        queue: args.queue,
        body_limit: args.body_limit,
        provenance: crate::provenance(),
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| Failure::Other(format!("cannot start the server: {e}")))?;
    runtime.block_on(async move {
        let (listener, addr) = mobilize_serve::bind(&args.host, args.port)
            .await
            .map_err(|e| {
                Failure::Other(format!("cannot listen on {}:{}: {e}", args.host, args.port))
            })?;
        println!(
            "mobilize serve: open http://{addr}/ (runs in `{}`; Ctrl-C to stop)",
            args.runs.display()
        );
        mobilize_serve::serve(config, listener)
            .await
            .map_err(|e| Failure::Other(format!("the server stopped: {e}")))
    })
}
