# Run by setup-rt.sh as www-data with RT's Perl API (perl -I/usr/share/request-tracker5/lib - < bootstrap.pl):
# queues, ticket custom fields, two agents with ticket rights, seed tickets (once) and a fresh
# auth token for the deskops agent, printed as TOKEN=... on stdout. Safe to run again.
use strict;
use warnings;
use RT;
use MIME::Entity;

RT::LoadConfig();
RT::Init();

my $system = RT->SystemUser;

sub die_with { my ($what, $msg) = @_; die "bootstrap: $what: " . ($msg // 'failed') . "\n"; }

# Queues (deskops groups).
my %queue;
for my $spec (['General', 'The default queue'], ['Billing', 'Invoices and refunds']) {
    my ($name, $description) = @$spec;
    my $q = RT::Queue->new($system);
    $q->Load($name);
    unless ($q->id) {
        my ($ok, $msg) = $q->Create(Name => $name, Description => $description);
        die_with("queue $name", $msg) unless $ok;
    }
    $queue{$name} = $q;
}

# Ticket custom fields on every queue: Tags holds deskops' tags; Product is a plain select field.
for my $spec (['Tags', 'Freeform', 0, 'deskops tags'], ['Product', 'Select', 1, 'Product the ticket is about']) {
    my ($name, $type, $max, $description) = @$spec;
    my $cf = RT::CustomField->new($system);
    $cf->LoadByName(Name => $name, LookupType => 'RT::Queue-RT::Ticket');
    unless ($cf->id) {
        my ($ok, $msg) = $cf->Create(
            Name => $name, Type => $type, MaxValues => $max,
            LookupType => 'RT::Queue-RT::Ticket', Description => $description,
        );
        die_with("custom field $name", $msg) unless $ok;
        if ($type eq 'Select') { $cf->AddValue(Name => $_) for qw(Printer Scanner Router) }
    }
    $cf->AddToObject(RT::Queue->new($system)) unless $cf->IsGlobal;
}

# Agents: privileged users with the ticket rights an agent has on every queue (no admin rights).
my @agent_rights = qw(
    SeeQueue ShowTicket ShowTicketComments CreateTicket ModifyTicket ReplyToTicket CommentOnTicket
    OwnTicket TakeTicket StealTicket SeeCustomField ModifyCustomField SetInitialCustomField
);
sub agent {
    my ($login, $email, $real_name) = @_;
    my $u = RT::User->new($system);
    $u->Load($login);
    unless ($u->id) {
        my ($ok, $msg) = $u->Create(Name => $login, EmailAddress => $email, RealName => $real_name, Privileged => 1);
        die_with("user $login", $msg) unless $ok;
    }
    $u->SetPrivileged(1) unless $u->Privileged;
    $u->SetRealName($real_name) unless ($u->RealName // '') eq $real_name;
    $u->SetEmailAddress($email) unless ($u->EmailAddress // '') eq $email;
    for my $right (@agent_rights) {
        next if $u->PrincipalObj->HasRight(Right => $right, Object => RT->System);
        my ($ok, $msg) = $u->PrincipalObj->GrantRight(Right => $right, Object => RT->System);
        die_with("right $right for $login", $msg) unless $ok;
    }
    return $u;
}
my $agent  = agent('deskops-agent', 'agent@deskops.test', 'Dee Agent');
my $second = agent('sam', 'sam@deskops.test', 'Sam Second');
# The agent makes its own tokens in RT's web UI; here RT_System makes one for it.
$agent->PrincipalObj->GrantRight(Right => 'ManageAuthTokens', Object => RT->System)
    unless $agent->PrincipalObj->HasRight(Right => 'ManageAuthTokens', Object => RT->System);

# Customers write in by email in RT: Everyone may create tickets and reply, as RT's own
# email setup has it.
my $everyone = RT::Group->new($system);
$everyone->LoadSystemInternalGroup('Everyone');
for my $right (qw(CreateTicket ReplyToTicket)) {
    next if $everyone->PrincipalObj->HasRight(Right => $right, Object => RT->System);
    my ($ok, $msg) = $everyone->PrincipalObj->GrantRight(Right => $right, Object => RT->System);
    die_with("right $right for Everyone", $msg) unless $ok;
}

sub custom_field {
    my $cf = RT::CustomField->new($system);
    $cf->LoadByName(Name => $_[0], LookupType => 'RT::Queue-RT::Ticket');
    return $cf;
}

sub message {
    my ($text, $interface) = @_;
    return MIME::Entity->build(Type => 'text/plain', Charset => 'UTF-8', Data => [$text], 'X-RT-Interface' => $interface);
}

# Seed tickets, once: written by their customers, then worked on by the agent.
unless (RT->System->FirstAttribute('DeskopsSeeded')) {
    my $as_agent = RT::CurrentUser->new($agent);
    my @seeds = (
        { Queue => 'Billing', Subject => 'Refund for a double charge on invoice 1182', From => ['dana@customer.test', 'Dana Customer'],
          Body => 'I was charged twice for invoice 1182. Please refund one of the charges.', Priority => 100,
          Tags => ['refund', 'billing'], Status => 'open' },
        { Queue => 'General', Subject => 'Printer shows error E-04 after the update', From => ['erin@customer.test', 'Erin Customer'],
          Body => "Since yesterday's firmware update the printer only shows E-04.", Priority => 50, Product => 'Printer' },
        { Queue => 'General', Subject => 'Cannot log in since the password reset', From => ['frank@customer.test', 'Frank Customer'],
          Body => 'The reset link says it expired, and my old password is refused.', Priority => 150,
          Reply => 'Could you send a screenshot of the error?', Status => 'stalled', Owner => $agent->id },
        { Queue => 'General', Subject => 'Thanks, all working now', From => ['gina@customer.test', 'Gina Customer'],
          Body => 'The router works again after your instructions.', Priority => 0, Status => 'resolved' },
    );
    for my $seed (@seeds) {
        my ($email, $name) = @{ $seed->{From} };
        my $customer = RT::User->new($system);
        $customer->LoadOrCreateByEmail(EmailAddress => $email, RealName => $name);
        die_with("customer $email", 'not created') unless $customer->id;
        my $created = RT::Ticket->new(RT::CurrentUser->new($customer));
        my ($id, undef, $msg) = $created->Create(
            Queue => $seed->{Queue}, Subject => $seed->{Subject}, Requestor => $email, MIMEObj => message($seed->{Body}, 'Email'),
        );
        die_with("seed ticket $seed->{Subject}", $msg) unless $id;
        my $t = RT::Ticket->new($as_agent);
        $t->Load($id);
        my ($ok, $m) = $t->SetPriority($seed->{Priority});
        die_with("seed priority", $m) unless $ok || $t->Priority == $seed->{Priority};
        if ($seed->{Owner}) { ($ok, $m) = $t->SetOwner($seed->{Owner}); die_with("seed owner", $m) unless $ok; }
        for my $tag (@{ $seed->{Tags} || [] }) {
            ($ok, $m) = $t->AddCustomFieldValue(Field => custom_field('Tags')->id, Value => $tag);
            die_with("seed tag $tag", $m) unless $ok;
        }
        if ($seed->{Product}) {
            ($ok, $m) = $t->AddCustomFieldValue(Field => custom_field('Product')->id, Value => $seed->{Product});
            die_with("seed product", $m) unless $ok;
        }
        if ($seed->{Reply}) {
            ($ok, $m) = $t->Correspond(MIMEObj => message($seed->{Reply}, 'Web'));
            die_with("seed reply", $m) unless $ok;
        }
        if ($seed->{Status} && $t->Status ne $seed->{Status}) {
            ($ok, $m) = $t->SetStatus($seed->{Status});
            die_with("seed status $seed->{Status}", $m) unless $ok;
        }
    }
    RT->System->SetAttribute(Name => 'DeskopsSeeded', Content => 1);
}

# A fresh token each run; older ones made here are revoked.
my $tokens = RT::AuthTokens->new($system);
$tokens->LimitOwner(VALUE => $agent->id);
while (my $old = $tokens->Next) {
    $old->Delete if ($old->Description // '') eq 'deskops CI';
}
my $token = RT::AuthToken->new($system);
my ($token_id, $token_msg, $auth) = $token->Create(Owner => $agent->id, Description => 'deskops CI');
die_with('auth token', $token_msg) unless $token_id && $auth;
print "TOKEN=$auth\n";
