from pumpcare.cli import main

main()
