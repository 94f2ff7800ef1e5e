// A real Roster for this package's tests: TestMain starts `roster testkit
// serve` with the fixtures of ../fixtures.json and stops it after the tests.
// ROSTER_BIN names the binary (default: `roster` on the PATH);
// ROSTER_TESTKIT_DATABASE_URL, when set, names a PostgreSQL server.
package example

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"testing"
)

// What `roster testkit serve` prints once it answers (the fields used here).
type instance struct {
	URL           string `json:"url"`
	AdminToken    string `json:"admin_token"`
	AdminUsername string `json:"admin_username"`
	Users         []struct {
		ID                   int64  `json:"id"`
		Username             string `json:"username"`
		PersonalAccessTokens []struct {
			Token string `json:"token"`
		} `json:"personal_access_tokens"`
	} `json:"users"`
}

var roster instance

func TestMain(m *testing.M) {
	bin := os.Getenv("ROSTER_BIN")
	if bin == "" {
		bin = "roster"
	}
	args := []string{"testkit", "serve", "--fixtures", "../fixtures.json"}
	if url := os.Getenv("ROSTER_TESTKIT_DATABASE_URL"); url != "" {
		args = append(args, "--database-url", url)
	}
	cmd := exec.Command(bin, args...)
	cmd.Stderr = os.Stderr
	// Standard input must be a pipe this process holds (exec's default is
	// /dev/null, which would stop Roster at once): when the pipe closes, at
	// the end or because the test binary died, Roster stops and cleans up.
	stdin, err := cmd.StdinPipe()
	if err != nil {
		panic(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		panic(err)
	}
	if err := cmd.Start(); err != nil {
		panic(err)
	}
	line, err := bufio.NewReader(stdout).ReadBytes('\n')
	if err != nil {
		panic(fmt.Sprintf("roster testkit serve printed no line: %v", err))
	}
	if err := json.Unmarshal(line, &roster); err != nil {
		panic(err)
	}
	code := m.Run()
	stdin.Close()
	cmd.Wait()
	os.Exit(code)
}

func get(t *testing.T, path, token string, into any) {
	t.Helper()
	req, _ := http.NewRequest("GET", roster.URL+"/api/v4"+path, nil)
	req.Header.Set("PRIVATE-TOKEN", token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != 200 {
		t.Fatalf("GET %s: %s", path, res.Status)
	}
	if err := json.NewDecoder(res.Body).Decode(into); err != nil {
		t.Fatal(err)
	}
}

func TestTheAdminTokenWorks(t *testing.T) {
	var me struct{ Username string }
	get(t, "/user", roster.AdminToken, &me)
	if me.Username != roster.AdminUsername {
		t.Fatalf("signed in as %q", me.Username)
	}
}

func TestAFixtureTokenActsAsItsUser(t *testing.T) {
	alice := roster.Users[0]
	var me struct{ ID int64 }
	get(t, "/user", alice.PersonalAccessTokens[0].Token, &me)
	if me.ID != alice.ID {
		t.Fatalf("the token is user %d's, not alice's (%d)", me.ID, alice.ID)
	}
}

func TestFixtureUsersAreListed(t *testing.T) {
	var found []struct{ Username string }
	get(t, "/users?username=bob", roster.AdminToken, &found)
	if len(found) != 1 || found[0].Username != "bob" {
		t.Fatalf("found %v", found)
	}
}
