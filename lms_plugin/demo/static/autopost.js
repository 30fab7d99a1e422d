// The OIDC form_post response: post the id_token to the tool at once, as an LMS does.
document.getElementById("launch").submit();
