module example.com/roster-testkit-example

go 1.19
