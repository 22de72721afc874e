from lianzhang.cli.main import main

main()
