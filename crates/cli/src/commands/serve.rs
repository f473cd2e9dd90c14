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
    /// Another name the server answers to (repeatable), e.g. this machine's name on the
    /// network when listening on 0.0.0.0. Requests naming any other host are refused (a guard
    /// against DNS rebinding).
    #[arg(long = "allow-host", value_name = "NAME")]
    pub allow_host: Vec<String>,
    /// Require the printed token on every request even on a loopback address (it is always
    /// required on any other address).
    #[arg(long)]
    pub token: bool,
    /// Most memory one run may need (e.g. 8G); a run whose estimate is larger is refused
    /// before it starts. Default: the memory available when the run is asked for.
    #[arg(long, value_name = "SIZE")]
    pub max_memory: Option<String>,
    /// Runs write a checkpoint every this many steps, and always when stopped (Stop, or the
    /// server shut down by Ctrl-C or SIGTERM), keeping the newest; `mobilize resume FOLDER`
    /// finishes a stopped run. 0: no checkpoints.
    #[arg(long, default_value_t = 1000, value_name = "STEPS")]
    pub checkpoint_every: u32,
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
            "warning: listening on {ip}, not a loopback address: anyone who can reach this machine \
             and holds the printed token can see runs and start them"
        );
    }
    let max_memory = match args.max_memory.as_deref() {
        None => None,
        Some(t) => match mobilize_core::scenario::memory::parse_size(t) {
            Some(b) => Some(b),
            None => {
                eprintln!("error: --max-memory {t}: not a size (e.g. 8G, 512MiB)");
                return Err(Failure::Input);
            }
        },
    };
    let token = (args.token || !ip.is_loopback()).then(|| mobilize_serve::guard::random_hex(16));
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
        allowed_hosts: mobilize_serve::guard::allowed_hosts(ip, &args.allow_host),
        token: token.clone(),
        max_memory,
        checkpoint_every: args.checkpoint_every,
        header_timeout: mobilize_serve::HEADER_TIMEOUT,
        request_timeout: mobilize_serve::REQUEST_TIMEOUT,
        write_timeout: mobilize_serve::WRITE_TIMEOUT,
        history_budget: mobilize_serve::HISTORY_BUDGET,
    };
    // Ctrl-C or SIGTERM: stop accepting, stop every run at the end of its step (each saves a
    // checkpoint and marks its folder interrupted), then exit; a second one exits at once.
    let shutdown = std::sync::Arc::new(tokio::sync::Notify::new());
    let notify = shutdown.clone();
    let stopping = std::sync::atomic::AtomicBool::new(false);
    if let Err(e) = ctrlc::set_handler(move || {
        if stopping.swap(true, std::sync::atomic::Ordering::SeqCst) {
            eprintln!("\nstopped at once");
            std::process::exit(130);
        }
        eprintln!(
            "\nshutting down: stopping the runs at the end of their step and saving them \
             (interrupt again to stop at once)"
        );
        notify.notify_one();
    }) {
        eprintln!("warning: Ctrl-C will stop the server at once, without saving runs: {e}");
    }
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
        let query = token
            .as_ref()
            .map_or(String::new(), |t| format!("?token={t}"));
        let shown = if ip.is_unspecified() {
            format!("localhost:{}", addr.port())
        } else {
            addr.to_string()
        };
        println!(
            "mobilize serve: open http://{shown}/{query} (runs in `{}`; Ctrl-C to stop)",
            args.runs.display()
        );
        mobilize_serve::serve_until(config, listener, async move { shutdown.notified().await })
            .await
            .map_err(|e| Failure::Other(format!("the server stopped: {e}")))
    })
}
