from agentlog.cli.app import main

main()
